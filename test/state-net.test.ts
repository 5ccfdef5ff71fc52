/**
 * Network state (src/state/parsers/net.ts): real captures replayed through State must give
 * sockets the names, protocols and flags sysdig 0.29.3 reports for them.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readTraceFile } from '../src/scap/file-source';
import { State } from '../src/state/state';
import '../src/state/parsers';
import { EVENTS } from '../src/event/generated/events';
import { code } from '../src/event/codes';
import { FdInfo } from '../src/state/fdinfo';
import { FdType } from '../src/scap/metadata';
import { ipv6ToString } from '../src/util/net';
import { sockaddrToString, socktupleToString, sockinfoToString, swapAddresses } from '../src/state/parsers/net';
import { SCAP_DIR, sharedSkipReason, sysdigSkipReason, runSysdig } from './helpers/env';

const FD_EVENT = new Uint8Array(EVENTS.length);
for (const e of EVENTS) {
  if (e && e.flags.some((f) => f === 'EF_CREATES_FD' || f === 'EF_USES_FD' || f === 'EF_DESTROYS_FD'))
    FD_EVENT[e.code] = 1;
}
const CONNECT_X = code('PPME_SOCKET_CONNECT_X');
const L4NAMES = ['<NA>', '<NA>', 'tcp', 'udp', 'icmp', 'raw'];

/** What sysdig's `%fd.num %fd.type %fd.name %fd.l4proto %fd.connected` shows for one event. */
interface FdView {
  num: number;
  line: string;
  name: string;
  type: string;
  l4: string;
  connected: boolean;
  server: boolean;
  client: boolean;
}

/**
 * Replays a capture and returns, for every shown event, the fd fields as sysdig's filterchecks
 * extract them (evt fd, else the thread's last event fd; failed connects name the tuple).
 */
async function replay(file: string): Promise<Map<number, FdView>> {
  const state = new State();
  const out = new Map<number, FdView>();
  await readTraceFile(file, {
    onSection: (m) => state.loadSection(m),
    onEvent: (ev) => {
      state.processEvent(ev);
      if (state.cur.hidden) return;
      const t = state.cur.thread;
      if (!FD_EVENT[ev.type] || t === null) {
        out.set(ev.num, {
          num: -1,
          line: `${ev.num} <NA> <NA> <NA> <NA> <NA>`,
          name: '',
          type: '<NA>',
          l4: '<NA>',
          connected: false,
          server: false,
          client: false,
        });
        return;
      }
      let f = state.cur.fd;
      if (f === null && t.lastEventFd !== -1) f = t.getFd(t.lastEventFd);
      if (f === null) {
        out.set(ev.num, {
          num: t.lastEventFd,
          line: `${ev.num} ${t.lastEventFd} <NA>`,
          name: '',
          type: '<NA>',
          l4: '<NA>',
          connected: false,
          server: false,
          client: false,
        });
        return;
      }
      let name = f.name;
      if (ev.type === CONNECT_X && ev.i64(0) < 0) name = socktupleToString(ev.bytes(1));
      name = name.replace(/[^\x20-\x7e]/g, '');
      const l4 = L4NAMES[f.getL4Proto()] ?? '<NA>';
      out.set(ev.num, {
        num: t.lastEventFd,
        name,
        type: f.typeString(),
        l4,
        connected: f.isSocketConnected(),
        server: f.isRoleServer(),
        client: f.isRoleClient(),
        line: `${ev.num} ${t.lastEventFd} ${f.typeString()} ${name} ${l4} ${f.isSocketConnected()}`,
      });
    },
  });
  return out;
}

const cache = new Map<string, Promise<Map<number, FdView>>>();
function fdsOf(name: string): Promise<Map<number, FdView>> {
  let p = cache.get(name);
  if (p === undefined) {
    p = replay(path.join(SCAP_DIR, name));
    cache.set(name, p);
  }
  return p;
}

async function expectFd(
  t: { skip: (m: string) => void },
  file: string,
  evnum: number,
  want: Partial<FdView>,
): Promise<void> {
  const skip = sharedSkipReason();
  if (skip !== null) {
    console.log(`skipped: ${skip}`);
    t.skip(skip);
    return;
  }
  const got = (await fdsOf(file)).get(evnum);
  assert.ok(got !== undefined, `${file}: event ${evnum} not seen`);
  for (const [k, v] of Object.entries(want)) {
    assert.equal((got as unknown as Record<string, unknown>)[k], v, `${file} #${evnum} ${k}: ${got.line}`);
  }
}

test('curl -6: connect gives the IPv6 tuple (libs e2e expectation for thread 17497)', async (t) => {
  await expectFd(t, 'libs_curl_google.scap', 1272, { num: 4, type: 'ipv6', name: '', l4: '<NA>', connected: false });
  await expectFd(t, 'libs_curl_google.scap', 1273, {
    num: 4,
    type: 'ipv6',
    l4: 'tcp',
    connected: true,
    client: true,
    server: false,
    name: '2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:37140->2607:f8b0:4004:802::2004:80',
  });
  // the DNS query over UDP from thread 17498
  await expectFd(t, 'libs_curl_google.scap', 1189, {
    type: 'ipv6',
    l4: 'udp',
    connected: true,
    name: '2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:40251->2001:4860:4860::8888:53',
  });
  // a failed unix connect keeps the socket nameless
  await expectFd(t, 'libs_curl_google.scap', 1058, { num: 4, type: 'unix', name: '' });
});

test('IPv6 server: bind, bind to port 0, accept and connect', async (t) => {
  const f = 'libs_single_ipv6_conn.scap';
  await expectFd(t, f, 849, { num: 3, type: 'ipv6', name: '', l4: '<NA>' });
  await expectFd(t, f, 851, {
    num: 3,
    type: 'ipv6',
    name: '2001:db8::3:1234',
    l4: 'tcp',
    server: true,
    connected: false,
  });
  await expectFd(t, f, 1151, { num: 3, type: 'ipv6', name: '2001:db8::4:0', l4: '<NA>', server: false });
  await expectFd(t, f, 1153, {
    num: 4,
    type: 'ipv6',
    name: '2001:db8::4:54405->2001:db8::3:1234',
    l4: 'tcp',
    server: true,
    connected: true,
  });
  await expectFd(t, f, 1154, {
    num: 3,
    type: 'ipv6',
    name: '2001:db8::4:54405->2001:db8::3:1234',
    l4: 'tcp',
    client: true,
    connected: true,
  });
});

test('IPv6 UDP client: sendto on ::1 names the socket from the tuple', async (t) => {
  await expectFd(t, 'libs_test_ipv6_client.scap', 224, { num: 3, type: 'ipv6', name: '', connected: false });
  await expectFd(t, 'libs_test_ipv6_client.scap', 225, {
    num: 3,
    type: 'ipv6',
    name: '::1:0->::1:2345',
    l4: 'udp',
    connected: true,
  });
});

test('connect to localhost: socket is role-less until connect, then a TCP client', async (t) => {
  const f = 'falco_connect_localhost.scap';
  await expectFd(t, f, 185, { num: 4, type: 'ipv4', name: '', l4: '<NA>', connected: false });
  await expectFd(t, f, 186, { num: 4, type: 'ipv4', name: '', l4: '<NA>' });
  await expectFd(t, f, 187, {
    num: 4,
    type: 'ipv4',
    name: '127.0.0.1:47192->127.0.0.1:80',
    l4: 'tcp',
    connected: true,
    client: true,
  });
  await expectFd(t, f, 189, { num: 14, type: 'unix', name: '' });
});

test('nginx accept: a connected TCP server fd', async (t) => {
  await expectFd(t, 'bencer_example0_nginx.scap', 55, { num: -1 });
  await expectFd(t, 'bencer_example0_nginx.scap', 56, {
    num: 3,
    type: 'ipv4',
    name: '172.18.0.1:51910->172.18.0.2:80',
    l4: 'tcp',
    server: true,
    connected: true,
  });
});

test('sockets from the fd list: listening ports make the server end (fix_sockets_coming_from_proc)', async (t) => {
  await expectFd(t, 'falco_psp_run_as_user_0_container.scap', 337, {
    num: 3,
    type: 'ipv4',
    name: '10.0.2.2:49289->10.0.2.15:22',
    l4: 'tcp',
    server: true,
    connected: true,
  });
});

test('UDP server socket turned client by sendmsg: union leftovers and the interface list', async (t) => {
  // 0.0.0.0:55441 from the fd list; the sendmsg tuple 0.0.0.0:55441->127.0.0.1:514 does not
  // replace the destination (its IPv4 view holds the server port and l4proto, plus a byte
  // left by the previous fd of the list) and the source comes from the interface list.
  await expectFd(t, 'sysdiginspect_502Error.scap', 228, { num: 8, type: 'ipv4', name: '0.0.0.0:55441', l4: 'udp' });
  await expectFd(t, 'sysdiginspect_502Error.scap', 229, {
    num: 8,
    type: 'ipv4',
    name: '192.168.128.156:55441->145.216.3.255:514',
    l4: 'udp',
    connected: false,
    client: true,
  });
});

const SYSDIG_FILES = [
  'libs_curl_google.scap',
  'libs_single_ipv6_conn.scap',
  'libs_test_ipv6_client.scap',
  'falco_connect_localhost.scap',
  'bencer_example0_nginx.scap',
  'bencer_example5_httpd.scap',
  'bencer_example5_nginx.scap',
  'bencer_example4_example4-1.scap',
  'falco_psp_run_as_user_0_container.scap',
  'sysdiginspect_502Error.scap',
];

test('every socket fd sysdig reports matches (live sysdig -p)', async (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip !== null) {
    console.log(`skipped: ${skip}`);
    t.skip(skip);
    return;
  }
  for (const f of SYSDIG_FILES) {
    const r = runSysdig([
      '-r',
      path.join(SCAP_DIR, f),
      '-p',
      '*%evt.num %fd.num %fd.type %fd.name %fd.l4proto %fd.connected',
    ]);
    assert.equal(r.status, 0, `sysdig failed on ${f}`);
    const ours = await fdsOf(f);
    let n = 0;
    const bad: string[] = [];
    for (const line of r.stdout.toString('latin1').split('\n')) {
      const m = /^(\d+) \S+ (ipv4|ipv6|unix) /.exec(line);
      if (m === null) continue;
      n++;
      const o = ours.get(Number(m[1]));
      if (o === undefined || o.line !== line) bad.push(`sysdig: ${line}\nours:   ${o?.line}`);
    }
    assert.ok(n > 0, `${f}: sysdig reported no sockets`);
    assert.deepEqual(bad.slice(0, 5), [], `${f}: ${bad.length}/${n} socket lines differ`);
  }
});

test('socket address strings as get_param_as_str renders them', () => {
  const v4tuple = Buffer.from([2, 127, 0, 0, 1, 0x58, 0xb8, 127, 0, 0, 1, 80, 0]);
  assert.equal(socktupleToString(v4tuple), '127.0.0.1:47192->127.0.0.1:80');
  assert.equal(socktupleToString(Buffer.alloc(0)), 'NULL');
  const mapped = Buffer.alloc(37);
  mapped[0] = 10;
  mapped[11] = 0xff;
  mapped[12] = 0xff;
  mapped.set([10, 0, 0, 1], 13);
  mapped.writeUInt16LE(1234, 17);
  mapped[29] = 0xff;
  mapped[30] = 0xff;
  mapped.set([10, 0, 0, 2], 31);
  mapped.writeUInt16LE(80, 35);
  assert.equal(socktupleToString(mapped), '10.0.0.1:1234->10.0.0.2:80');
  const unix = Buffer.concat([
    Buffer.from([1]),
    Buffer.from('0008a03c0088ffff', 'hex'),
    Buffer.alloc(8),
    Buffer.from('/run/x\n\0'),
  ]);
  assert.equal(socktupleToString(unix), 'ffff88003ca00800->0 /run/x');
  assert.equal(sockaddrToString(Buffer.from([1, 0x2f, 0x61, 0])), '/a');
  assert.equal(sockaddrToString(Buffer.from([2, 0, 0, 0, 0, 80, 0])), '0.0.0.0:80');
  const any6 = Buffer.alloc(19);
  any6[0] = 10;
  any6.writeUInt16LE(80, 17);
  assert.equal(sockaddrToString(any6), ':::80');
  assert.equal(sockaddrToString(Buffer.from([2, 1, 2])), 'INVALID IPv4');
  assert.equal(sockaddrToString(Buffer.from([200])), 'family -56');
});

test('inet_ntop compression as glibc does it', () => {
  const cases: [string, string][] = [
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000002', '::2'],
    ['00000000000000000000000001020304', '::1.2.3.4'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00000000000000000000fffe01020304', '::fffe:102:304'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['00010000000000000000000000000000', '1::'],
    ['2607f8b0400408020000000000002004', '2607:f8b0:4004:802::2004'],
    ['00010000000100000000000100000001', '1:0:1::1:0:1'],
  ];
  for (const [hex, want] of cases) assert.equal(ipv6ToString(Buffer.from(hex, 'hex')), want, hex);
});

test('the socket union: views alias as in sinsp_sockinfo', () => {
  const f = new FdInfo();
  f.type = FdType.IPV4_SOCK;
  f.sip = 0x0100007f;
  f.dip = 0x0200007f;
  f.sport = 1000;
  f.dport = 80;
  f.l4proto = 3;
  assert.equal(sockinfoToString(f), '127.0.0.1:1000->127.0.0.2:80');
  swapAddresses(f);
  assert.equal(sockinfoToString(f), '127.0.0.2:80->127.0.0.1:1000');
  // server view: port and l4proto overlay the tuple's destination address
  f.type = FdType.IPV4_SERVSOCK;
  f.sport = 0x1234;
  f.l4proto = 2;
  assert.equal(f.sport, 0x1234);
  f.type = FdType.IPV4_SOCK;
  assert.equal(f.dip, 0x01021234, 'dip bytes = port lo, port hi, l4proto, old byte');
  assert.equal(f.l4proto, 3);
  const g = f.clone();
  g.sip = 0;
  assert.equal(f.sip, 0x0200007f, 'clones do not share the union');
  f.type = FdType.IPV4_SOCK;
  f.l4proto = 0;
  assert.equal(sockinfoToString(f), '<unknown>');
});
