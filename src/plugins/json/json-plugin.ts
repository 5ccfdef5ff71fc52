/**
 * The json plugin (falcosecurity/plugins plugins/json) in TypeScript: an extractor of
 * json.value[<json pointer>], json.obj and json.rawtime (and their jevt.* aliases) over any
 * JSON payload, such as a k8s_audit event. Like the Go plugin it declares no extract sources,
 * so it applies to every source, and a payload that is not JSON is an extraction error.
 */
import type { ExtractRequest, FalcoPlugin, PluginEventInput, PluginField, PluginValue } from '../api';
import { indentJson } from './indent';
import { asString, DecodedEventCache, payloadText } from './json-value';
import { resolvePointer } from './pointer';

/** the upstream release whose fields and semantics these are (rules' required_plugin_versions) */
export const JSON_PLUGIN_VERSION = '0.7.4';

const POINTER_DESC =
  'Extracts a value from a JSON-encoded input. Syntax is json.value[<json pointer>], where <json pointer> is a json pointer (see https://datatracker.ietf.org/doc/html/rfc6901)';

export const JSON_FIELDS: PluginField[] = [
  { name: 'json.value', type: 'string', arg: { isRequired: true, isKey: true }, desc: POINTER_DESC },
  { name: 'json.obj', type: 'string', desc: 'The full json message as a text string.' },
  { name: 'json.rawtime', type: 'string', desc: 'The time of the event, identical to evt.rawtime.' },
  {
    name: 'jevt.value',
    type: 'string',
    arg: { isRequired: true, isKey: true },
    desc: 'Alias for json.value, provided for backwards compatibility.',
  },
  { name: 'jevt.obj', type: 'string', desc: 'Alias for json.obj, provided for backwards compatibility.' },
  { name: 'jevt.rawtime', type: 'string', desc: 'Alias for json.rawtime, provided for backwards compatibility.' },
];

function extractOne(cache: DecodedEventCache, evt: PluginEventInput, req: ExtractRequest): PluginValue {
  const doc = cache.decode(evt);
  switch (req.field) {
    case 'json.value':
    case 'jevt.value': {
      const v = resolvePointer(doc, req.argKey ?? '');
      return v === undefined ? undefined : asString(v);
    }
    case 'json.obj':
    case 'jevt.obj':
      return indentJson(payloadText(evt.data));
    case 'json.rawtime':
    case 'jevt.rawtime':
      return evt.ts.toString();
    default:
      throw new Error(`json: no known field: ${req.field}`);
  }
}

/** A new instance of the json plugin (each keeps its own parsed-event cache). */
export function createJsonPlugin(): FalcoPlugin {
  const cache = new DecodedEventCache('json');
  return {
    name: 'json',
    version: JSON_PLUGIN_VERSION,
    requiredApiVersion: '3.0.0',
    description: 'implements extracting arbitrary fields from inputs formatted as JSON',
    contact: 'github.com/falcosecurity/plugins/',
    initSchema: {
      type: 'object',
      properties: {
        useAsync: {
          type: 'boolean',
          title: 'Use async extraction',
          description: 'If true then async extraction optimization is enabled (Default: true)',
          default: true,
        },
      },
      additionalProperties: true,
    },
    // the Go plugin ignores its init config (its one key only tunes the Go SDK)
    init() {},
    fields: JSON_FIELDS,
    extract(evt, reqs) {
      return reqs.map((r) => extractOne(cache, evt, r));
    },
  };
}

/** The built-in json plugin. */
export const jsonPlugin: FalcoPlugin = createJsonPlugin();
