/**
 * Splits a filter into what the kernel can test (kexpr.ts) and the rest, which stays UNKNOWN.
 * It generalises evttypes.ts (which keeps only `evt.type` leaves) to the leaves the probe can
 * decide on a raw event. A leaf becomes a test only when the test's TRUE/FALSE is exactly the
 * leaf's answer whenever the test answers at all (see model.ts for when it does); anything
 * else -- other fields, transformers, right-hand fields, modifiers, operators the probe lacks
 * -- is UNKNOWN. Input is the macro-expanded AST (CompiledFilter.expanded; Falco lists are
 * already substituted in rule conditions), so identifiers never reach here except unresolved
 * ones, which are UNKNOWN too.
 */
import type { BinaryCheckNode, Node } from '../ast';
import { namesToEventCodes } from '../evttypes';
import { parseComparator, type Comparator } from '../operators';
import { isGeneric } from '../../event/codes';
import { FALSE, UNKNOWN, kAnd, kNot, kOr, type KExpr, type NumOp, type NumSubject } from './kexpr';

/** TASK_COMM_LEN - 1: the kernel keeps this many bytes of a task's name */
export const COMM_MAX = 15;

const NUM_FIELDS: Record<string, NumSubject> = {
  'proc.pid': 'pid',
  'thread.tid': 'tid',
  'user.uid': 'uid',
  'evt.rawres': 'res',
  'fd.num': 'fd',
};

/** The kernel part of a (macro-expanded) filter AST. */
export function kernelPart(ast: Node): KExpr {
  switch (ast.kind) {
    case 'and':
      return kAnd(ast.children.map(kernelPart));
    case 'or':
      return kOr(ast.children.map(kernelPart));
    case 'not':
      return kNot(kernelPart(ast.child));
    case 'binary':
      return binaryLeaf(ast);
    default:
      // `exists`, unresolved identifiers: the probe cannot tell
      return UNKNOWN;
  }
}

/** The kernel part of several filters of which any may match (the loaded rules' conditions). */
export function kernelPartOfAny(asts: readonly Node[]): KExpr {
  return asts.length === 0 ? FALSE : kOr(asts.map(kernelPart));
}

function binaryLeaf(n: BinaryCheckNode): KExpr {
  if (n.left.kind !== 'field' || n.left.arg !== null) return UNKNOWN;
  const r = n.right;
  if (r.kind !== 'value' && r.kind !== 'list') return UNKNOWN;
  let cmp: Comparator;
  try {
    cmp = parseComparator(n.op);
  } catch {
    return UNKNOWN;
  }
  if (cmp.mod !== null) return UNKNOWN;
  const values = r.kind === 'value' ? [r.value] : r.values;
  const field = n.left.field;
  switch (field) {
    case 'evt.type':
      return evtypeLeaf(cmp, values);
    case 'evt.dir':
      return dirLeaf(cmp, values);
    case 'proc.name':
      return commLeaf(cmp, values);
    case 'evt.res':
      return resLeaf(cmp, values);
    case 'evt.failed':
      return failedLeaf(cmp, values);
    default: {
      const subject = NUM_FIELDS[field];
      return subject === undefined ? UNKNOWN : numLeaf(subject, cmp, values);
    }
  }
}

function evtypeLeaf(cmp: Comparator, names: string[]): KExpr {
  if (cmp.op !== 'eq' && cmp.op !== 'ne' && cmp.op !== 'in') return UNKNOWN;
  if (cmp.op !== 'in' && names.length !== 1) return UNKNOWN;
  // generic events carry their syscall's name in a parameter: the model leaves them UNKNOWN
  // (an atom even when no code is left: it still answers UNKNOWN on generic events)
  const codes = [...namesToEventCodes(names)].filter((c) => !isGeneric(c)).sort((a, b) => a - b);
  const e: KExpr = { k: 'atom', atom: { a: 'evtype', codes } };
  return cmp.op === 'ne' ? kNot(e) : e;
}

function dirLeaf(cmp: Comparator, values: string[]): KExpr {
  if ((cmp.op !== 'eq' && cmp.op !== 'ne') || values.length !== 1) return UNKNOWN;
  const v = values[0];
  if (v !== '>' && v !== '<') return cmp.op === 'eq' ? FALSE : kNot(FALSE);
  const e: KExpr = { k: 'atom', atom: { a: 'dir', enter: v === '>' } };
  return cmp.op === 'ne' ? kNot(e) : e;
}

/**
 * proc.name is the name the state recorded at the thread's clone or exec, which is the
 * kernel's comm then: at most 15 bytes. A longer literal can only be compared on its head,
 * and a comm equal to that head is UNKNOWN, never TRUE.
 */
function commLeaf(cmp: Comparator, values: string[]): KExpr {
  const eq: string[] = [];
  const prefix: string[] = [];
  const maybe: string[] = [];
  switch (cmp.op) {
    case 'eq':
    case 'ne':
    case 'in':
      if (cmp.op !== 'in' && values.length !== 1) return UNKNOWN;
      // a 15-byte comm could be the head of a longer name in a trace that kept it: UNKNOWN
      for (const v of values) (v.length < COMM_MAX ? eq : maybe).push(v.slice(0, COMM_MAX));
      break;
    case 'startswith':
      if (values.length !== 1) return UNKNOWN;
      if (values[0].length <= COMM_MAX) prefix.push(values[0]);
      else maybe.push(values[0].slice(0, COMM_MAX));
      break;
    default:
      return UNKNOWN;
  }
  return { k: 'atom', atom: { a: 'comm', eq, prefix, maybe, negate: cmp.op === 'ne' } };
}

const NUM_OPS: Partial<Record<string, NumOp>> = {
  eq: 'eq',
  ne: 'ne',
  lt: 'lt',
  le: 'le',
  gt: 'gt',
  ge: 'ge',
  in: 'eq',
};

function numLeaf(subject: NumSubject, cmp: Comparator, values: string[]): KExpr {
  const op = NUM_OPS[cmp.op];
  if (op === undefined || (cmp.op !== 'in' && values.length !== 1)) return UNKNOWN;
  const nums: number[] = [];
  for (const v of values) {
    // decimal only: other spellings (hex, ports by name) are left to userspace
    if (!/^-?\d{1,15}$/.test(v) || (subject === 'uid' && v.startsWith('-'))) return UNKNOWN;
    nums.push(Number(v));
  }
  return { k: 'atom', atom: { a: 'num', subject, op, values: nums } };
}

/**
 * evt.res is 'SUCCESS' for a non-negative return value and an errno name otherwise. Only
 * SUCCESS is decided here; another name is FALSE on success and UNKNOWN on failure (the
 * probe does not map errno names).
 */
function resLeaf(cmp: Comparator, values: string[]): KExpr {
  if ((cmp.op !== 'eq' && cmp.op !== 'ne' && cmp.op !== 'in') || (cmp.op !== 'in' && values.length !== 1))
    return UNKNOWN;
  const ok: KExpr = { k: 'atom', atom: { a: 'num', subject: 'res', op: 'ge', values: [0] } };
  const failed: KExpr = { k: 'atom', atom: { a: 'num', subject: 'res', op: 'lt', values: [0] } };
  const errnos = values.filter((v) => v !== 'SUCCESS');
  const hasOk = errnos.length !== values.length;
  // an errno name: FALSE on success, UNKNOWN on failure
  const errno = kAnd([failed, UNKNOWN]);
  if (cmp.op === 'ne') return hasOk ? failed : kOr([ok, errno]);
  const parts: KExpr[] = [];
  if (hasOk) parts.push(ok);
  if (errnos.length > 0) parts.push(errno);
  return kOr(parts);
}

function failedLeaf(cmp: Comparator, values: string[]): KExpr {
  if ((cmp.op !== 'eq' && cmp.op !== 'ne') || values.length !== 1) return UNKNOWN;
  const v = values[0];
  const truth = v === 'true' ? true : v === 'false' ? false : null;
  if (truth === null) return UNKNOWN;
  const e: KExpr = { k: 'atom', atom: { a: 'failed' } };
  return truth === (cmp.op === 'eq') ? e : kNot(e);
}
