/**
 * Printing load results like `falco -V`: one summary per file (`Ok`, `Ok, with warnings`,
 * `Invalid`), then for each error/warning the chain of locations, a YAML snippet with a
 * caret, and `CODE (description): message`. Each block starts with a one-line
 * `file:line:col: error|warning: message` (the line/column of the innermost position,
 * mapped from a condition back into the YAML when the text can be found there).
 */
import { CODE_DESC, Context, LoadMessage, LoadResult } from './types';

export interface FilePos {
  file: string;
  line: number;
  col: number;
}

/** The YAML position of a message (condition positions mapped back into the file when possible). */
export function filePos(m: LoadMessage, content: string): FilePos {
  const ctx = m.ctx;
  const fl = ctx.fileLoc();
  const last = ctx.locs[ctx.locs.length - 1];
  const file = ctx.file();
  if (last.type === 'condition expression' && ctx.snippetText !== undefined && fl.line > 0) {
    const off = mapIntoFile(ctx.snippetText, last.pos, content, fl.pos);
    if (off >= 0) return { file, ...lineColOf(content, off) };
  }
  return { file, line: fl.line, col: fl.col };
}

function mapIntoFile(text: string, pos: number, content: string, from: number): number {
  const limit = from + text.length * 2 + 400;
  for (let m = Math.min(40, text.length - pos); m >= 3; m--) {
    const needle = text.slice(pos, pos + m);
    const i = content.indexOf(needle, from);
    if (i >= 0 && i < limit) return i;
  }
  for (let m = Math.min(40, pos); m >= 3; m--) {
    const needle = text.slice(pos - m, pos);
    const i = content.indexOf(needle, from);
    if (i >= 0 && i < limit) return i + m;
  }
  return -1;
}

function lineColOf(content: string, off: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < off && i < content.length; i++)
    if (content.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  return { line, col: off - last };
}

function describe(ctx: Context): string[] {
  const out: string[] = [];
  ctx.locs.forEach((l, i) => {
    let what: string = l.type;
    if (l.item !== '') what += ` '${l.item}'`;
    const where = l.type === 'condition expression' ? `"${l.name}"` : l.name;
    out.push(`${i === 0 ? 'In ' : '    '}${what}: (${where}:${l.line}:${l.col})`);
  });
  return out;
}

/** A snippet of the YAML around a line with a caret under the column. */
function snippet(content: string, line: number, col: number): string[] {
  if (line <= 0) return [];
  const lines = content.split('\n');
  const out: string[] = [];
  for (let i = Math.max(1, line - 1); i <= Math.min(lines.length, line + 1); i++) {
    out.push(lines[i - 1]);
    if (i === line) out.push(' '.repeat(Math.max(0, col - 1)) + '^');
  }
  return out;
}

export function formatMessage(m: LoadMessage, content: string, kind: 'error' | 'warning'): string {
  const p = filePos(m, content);
  const lines = [`${p.file}:${p.line}:${p.col}: ${kind}: ${m.message}`];
  lines.push(...describe(m.ctx));
  const sn = snippet(content, p.line, p.col);
  if (sn.length > 0) lines.push('------', ...sn, '------');
  lines.push(`${m.code} (${CODE_DESC[m.code]}): ${m.message}`);
  return lines.join('\n');
}

/** `falco -V`-style report of one file. */
export function formatResult(r: LoadResult, verbose = true): string {
  const out: string[] = [];
  if (!r.ok) {
    out.push(`${r.name}: Invalid`);
    out.push(`${r.errors.length} Errors:`);
    for (const e of r.errors) out.push(formatMessage(e, r.content, 'error'));
  } else {
    out.push(`${r.name}: Ok${r.warnings.length > 0 ? ', with warnings' : ''}`);
  }
  if (verbose && r.warnings.length > 0) {
    out.push(`${r.warnings.length} Warnings:`);
    for (const w of r.warnings) out.push(formatMessage(w, r.content, 'warning'));
  }
  return out.join('\n');
}

/** JSON of one result (Falco's load_result as_json, reduced). */
export function resultJson(r: LoadResult): object {
  const msg = (m: LoadMessage) => {
    const it = m.ctx.item();
    const p = filePos(m, r.content);
    return {
      code: m.code,
      codedesc: CODE_DESC[m.code],
      message: m.message,
      item_type: it.type,
      item_name: it.item,
      file: p.file,
      line: p.line,
      column: p.col,
      context: {
        locations: m.ctx.locs.map((l) => ({
          name: l.name,
          line: l.line,
          column: l.col,
          item_type: l.type,
          item_name: l.item,
        })),
      },
    };
  };
  return { name: r.name, successful: r.ok, errors: r.errors.map(msg), warnings: r.warnings.map(msg) };
}
