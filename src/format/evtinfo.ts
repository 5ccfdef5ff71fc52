/**
 * evt.info / evt.args: the event's parameters rendered "name=value" or "name=value(resolved)"
 * exactly as libsinsp's sinsp_evt::get_param_as_str does.
 */
import type { EventView } from '../event/view';
import type { State } from '../state/state';

export type BufferFormat = 'normal' | 'ascii' | 'hex' | 'hexascii' | 'base64' | 'json' | 'jsonhex' | 'jsonhexascii' | 'jsonbase64' | 'jsonascii';

export interface RenderOptions {
  /** sysdig truncates rendered buffers to 80 bytes unless -v; 0 = no limit */
  maxBufLen: number;
  bufferFormat: BufferFormat;
}

export class ParamRenderer {
  /** the last rendered value and its resolved form ('' if none) */
  value = '';
  resolved = '';
  constructor(protected readonly state: State, public opts: RenderOptions) {}

  /** Renders param i of ev into this.value / this.resolved. */
  render(ev: EventView, i: number): void {
    this.value = ev.paramLen(i) > 0 ? String(ev.paramLen(i)) : '';
    this.resolved = '';
  }

  /** evt.info: every param as name=value[(resolved)] followed by a space, as 0.29.3 prints it. */
  info(ev: EventView): string {
    if (ev.type === 0 || ev.type === 1) return '';
    const info = ev.info;
    if (info === null) return '';
    const n = ev.paramCount;
    let s = '';
    for (let j = 0; j < n; j++) {
      this.render(ev, j);
      s += info.params[j].name + '=' + this.value + (this.resolved === '' ? ' ' : '(' + this.resolved + ') ');
    }
    return s;
  }
}
