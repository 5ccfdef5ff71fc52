/**
 * JSON values as the Go plugins see them through fastjson: navigation by keys (an array is
 * indexed by a decimal key), compact re-serialisation, and "a value as a string" (a string is
 * itself, anything else its JSON text). Shared by the json and k8saudit plugins.
 *
 * Values come from JSON.parse, so two fastjson details differ: a duplicated key keeps its last
 * value (fastjson: its first), and numbers print in JavaScript's shortest form ("1.0" -> "1").
 * Audit events carry neither in practice (numbers are integers, keys are unique).
 */
import type { PluginEventInput } from '../api';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const INDEX = /^[+-]?\d+$/;

/** The member `key` of an object, or element `key` (decimal) of an array; undefined if none. */
export function child(v: Json | undefined, key: string): Json | undefined {
  if (v === null || v === undefined || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    if (!INDEX.test(key)) return undefined;
    const i = Number(key);
    return i >= 0 && i < v.length ? v[i] : undefined;
  }
  return Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
}

/** fastjson's Get(keys...): follows each key in turn. */
export function getPath(v: Json | undefined, keys: readonly string[]): Json | undefined {
  let cur = v;
  for (const k of keys) {
    cur = child(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Compact JSON text (fastjson MarshalTo): no spaces, members in their order. */
export function marshal(v: Json): string {
  return JSON.stringify(v);
}

/** A string as itself, any other value as its JSON text. */
export function asString(v: Json): string {
  return typeof v === 'string' ? v : marshal(v);
}

const utf8 = new TextDecoder('utf-8');

/** The payload as text. */
export function payloadText(data: Uint8Array): string {
  return utf8.decode(data);
}

/**
 * Parses an event's payload once per event number (the Go plugins cache the same way: the
 * fields of one event are asked for one by one). Throws when the payload does not start with
 * '{' or '[' (their quick sanity check) or does not parse, naming the plugin.
 */
export class DecodedEventCache {
  private num = -1;
  private value: Json = null;

  constructor(
    private readonly plugin: string,
    private readonly notJson = 'invalid json format',
  ) {}

  decode(evt: PluginEventInput): Json {
    if (evt.num === this.num) return this.value;
    const first = evt.data.length > 0 ? evt.data[0] : 0;
    if (first !== 0x7b && first !== 0x5b) throw new Error(`${this.plugin}: ${this.notJson}`);
    try {
      this.value = JSON.parse(payloadText(evt.data)) as Json;
    } catch (e) {
      throw new Error(`${this.plugin}: ${(e as Error).message}`, { cause: e });
    }
    this.num = evt.num;
    return this.value;
  }
}
