/**
 * `replay -w OUT`: the events a replay passes on, written to a trace file. Without a filter the
 * trace is copied section by section; with one, a subset: its section is a snapshot of the state
 * at the first match, and the unmatched events the state needs are kept hidden (SubsetWriter).
 * Its own module so a replay without -w loads none of the writer stack.
 */
import type { SectionMetadata } from '../scap/metadata';
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import { openTraceSink, type SinkCompression } from '../scap/compressed-sink';
import { ScapWriter } from '../scap/writer';
import { SubsetWriter } from '../scap/subset-writer';
import { snapshotState } from '../state/snapshot';

export class ReplayWriter {
  private readonly writer: ScapWriter;
  private readonly subset = new SubsetWriter();
  private pendingMeta: SectionMetadata | null = null;
  private wroteSection = false;

  constructor(
    file: string,
    compression: SinkCompression,
    /** a filter selects what is written (a subset) */
    private readonly filtered: boolean,
    private readonly state: State,
  ) {
    this.writer = new ScapWriter(openTraceSink(file, compression));
  }

  /** a section of the input starts */
  section(meta: SectionMetadata): void {
    if (!this.filtered) {
      this.writer.writeSection(meta);
      this.wroteSection = true;
    } else {
      // a filtered subset starts with a snapshot of the state at its first match
      this.pendingMeta = meta;
      this.wroteSection = false;
    }
  }

  /** events with no trace before them (plugin sources): the file starts with the state as it is */
  startWithState(): void {
    if (this.wroteSection) return;
    this.writer.writeSection(snapshotState(this.state, this.pendingMeta));
    this.wroteSection = true;
  }

  event(ev: EventView, matched: boolean): void {
    if (!this.filtered) {
      this.writer.writeEvent(ev, ev.dumpFlags);
      return;
    }
    if (matched) {
      if (!this.wroteSection) {
        this.writer.writeSection(snapshotState(this.state, this.pendingMeta));
        this.wroteSection = true;
      }
      this.subset.matched(this.writer, ev);
    } else {
      // (before the first match there is no section yet: nothing to hide events in)
      this.subset.unmatched(this.writer, ev, this.wroteSection);
    }
  }

  close(): void {
    // nothing matched: still a valid trace (the state at the end) rather than no file
    if (!this.wroteSection && this.pendingMeta !== null)
      this.writer.writeSection(snapshotState(this.state, this.pendingMeta));
    this.writer.close();
  }
}
