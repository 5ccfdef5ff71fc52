// A Falco plugin written in JavaScript on falco-ts's plugin API (src/plugins/api.ts): a source
// of the lines of a text file (open_params: its path) with fields over each line. Load it as
// Falco loads a .so:
//
//   plugins:
//     - name: lines
//       library_path: ./examples/plugins/lines.js
//       init_config: {skipEmpty: true}
//       open_params: /var/log/some.log
//
// and write rules with `source: lines`, e.g. `condition: lines.word[0] = ERROR`.
'use strict';
const fs = require('node:fs');

let skipEmpty = false;

/** @type {import('../../src/plugins/api').FalcoPlugin} */
module.exports = {
  name: 'lines',
  version: '0.1.0',
  requiredApiVersion: '3.0.0',
  description: 'the lines of a text file, one event each',
  contact: 'falco-ts examples',
  initSchema: { type: 'object', properties: { skipEmpty: { type: 'boolean' } } },
  init(config) {
    skipEmpty = config !== '' && JSON.parse(config).skipEmpty === true;
  },

  // sourcing: an id of its own (not one of the registered plugin ids) and a source name
  id: 100999,
  eventSource: 'lines',
  open(params) {
    const lines = fs.readFileSync(params, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let n = 0;
    return {
      // a batch of up to 64 lines; the last one says eof
      next() {
        const events = [];
        while (n < lines.length && events.length < 64) {
          const text = lines[n++];
          if (skipEmpty && text === '') continue;
          events.push({ data: `${n}\t${text}` });
        }
        return n < lines.length ? { kind: 'events', events } : { kind: 'eof', events };
      },
    };
  },

  // evt.plugininfo: a short text for an event
  eventToString(evt) {
    return Buffer.from(evt.data).toString('utf8').replace('\t', ': ');
  },

  // extraction: over its own events (the payload is "NUM<TAB>TEXT")
  fields: [
    { name: 'lines.num', type: 'uint64', desc: 'the line number (from 1)' },
    { name: 'lines.text', type: 'string', desc: 'the line' },
    {
      name: 'lines.word',
      type: 'string',
      desc: 'the Nth word of the line (from 0)',
      arg: { isRequired: true, isIndex: true },
    },
  ],
  extract(evt, reqs) {
    const s = Buffer.from(evt.data).toString('utf8');
    const tab = s.indexOf('\t');
    const text = s.slice(tab + 1);
    return reqs.map((r) => {
      if (r.field === 'lines.num') return BigInt(s.slice(0, tab));
      if (r.field === 'lines.text') return text;
      return text.split(/\s+/).filter((w) => w !== '')[r.argIndex];
    });
  },
};
