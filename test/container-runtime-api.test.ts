/**
 * The runtime clients against stand-in servers on unix sockets (no runtime needed): the gRPC
 * client and protobuf codec with a containerd-like HTTP/2 server (namespaces, containers
 * List/Get, images Get, event stream), the Docker API client with an HTTP server; the manager's
 * cached background lookups; container events written the libs way and read back by the state.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as path from 'node:path';
import { Enc, Msg, decode } from '../src/container-runtime/protobuf';
import { ContainerdClient, containerdToMeta, parseImageRef } from '../src/container-runtime/containerd';
import { DockerClient } from '../src/container-runtime/docker';
import { ContainerManager } from '../src/container-runtime/manager';
import { containerFromJson, containerJsonEvent, containerToJson } from '../src/container/json';
import { ScapWriter } from '../src/scap/writer';
import { openTraceSink } from '../src/scap/compressed-sink';
import { readTraceFile } from '../src/scap/file-source';
import type { SectionMetadata } from '../src/scap/metadata';
import { State } from '../src/state/state';
import '../src/state/parsers';
import { ThreadInfo } from '../src/state/threadinfo';
import { fieldRegistry } from '../src/filter/fields/registry';
import type { EventView } from '../src/event/view';
import { tmpDir } from './helpers/env';

const TMP = tmpDir('falco-ts-ctr-api-');
const closers: (() => void)[] = [];
let socks = 0;
after(() => {
  for (const c of closers) {
    try {
      c();
    } catch {
      /* closed */
    }
  }
  fs.rmSync(TMP, { recursive: true, force: true });
});

const ID1 = 'a'.repeat(16) + '0123456789abcdef'.repeat(3);
const ID2 = 'b'.repeat(64);
const ID3 = 'c'.repeat(64);
const DIGEST = 'sha256:' + 'd'.repeat(64);

function spec(privileged: boolean): Buffer {
  const s: Record<string, unknown> = {
    process: { user: { uid: 0 }, env: ['PATH=/bin'] },
    mounts: [
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: privileged ? ['nosuid'] : ['nosuid', 'ro'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'mount' }],
      ...(privileged ? {} : { maskedPaths: ['/proc/kcore'], seccomp: {} }),
    },
  };
  return Buffer.from(JSON.stringify(s));
}

function containerMsg(id: string, image: string, labels: Record<string, string>, privileged = false): Enc {
  return new Enc()
    .str(1, id)
    .strMap(2, labels)
    .str(3, image)
    .msg(4, new Enc().str(1, 'io.containerd.runc.v2'))
    .msg(5, new Enc().str(1, 'types.containerd.io/opencontainers/runtime-spec/1/Spec').bytes(2, spec(privileged)))
    .str(6, 'overlayfs')
    .msg(8, new Enc().uint(1, 1700000000).uint(2, 5));
}

interface FakeContainerd {
  sock: string;
  publish(ns: string, topic: string, id: string): void;
  containers: Map<string, Enc>;
  calls: string[];
}

function frame(b: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(b.length, 1);
  return Buffer.concat([h, b]);
}

async function fakeContainerd(): Promise<FakeContainerd> {
  const sock = path.join(TMP, `containerd-${++socks}.sock`);
  const containers = new Map<string, Enc>(); // "ns/id" → Container
  const subscribers: http2.ServerHttp2Stream[] = [];
  const calls: string[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const p = String(headers[':path']);
    const ns = String(headers['containerd-namespace'] ?? '');
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks).subarray(5);
      calls.push(`${p.split('/').pop()} ${ns}`);
      const reply = (m: Buffer | null, status = 0) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () =>
          stream.sendTrailers({ 'grpc-status': String(status), 'grpc-message': status ? 'not%20found' : '' }),
        );
        if (m !== null) stream.write(frame(m));
        stream.end();
      };
      if (p.endsWith('Namespaces/List')) {
        reply(new Enc().msg(1, new Enc().str(1, 'default')).msg(1, new Enc().str(1, 'k8s.io')).finish());
      } else if (p.endsWith('Containers/List')) {
        const e = new Enc();
        for (const [k, c] of containers) if (k.startsWith(ns + '/')) e.msg(1, c);
        reply(e.finish());
      } else if (p.endsWith('Containers/Get')) {
        const id = new Msg(body).str(1);
        const c = containers.get(`${ns}/${id}`);
        if (c === undefined) reply(null, 5);
        else reply(new Enc().msg(1, c).finish());
      } else if (p.endsWith('Images/Get')) {
        const name = new Msg(body).str(1);
        reply(
          new Enc()
            .msg(
              1,
              new Enc()
                .str(1, name)
                .msg(3, new Enc().str(1, 'application/vnd.oci.image.manifest.v1+json').str(2, DIGEST).uint(3, 401)),
            )
            .finish(),
        );
      } else if (p.endsWith('Events/Subscribe')) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        subscribers.push(stream);
      } else {
        reply(null, 12);
      }
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  closers.push(() => {
    for (const s of subscribers) s.close();
    server.close();
  });
  return {
    sock,
    containers,
    calls,
    publish(ns, topic, id) {
      const ev = new Enc()
        .msg(1, new Enc().uint(1, 1700000001))
        .str(2, ns)
        .str(3, topic)
        .msg(
          4,
          new Enc().str(1, 'containerd.events.ContainerCreate').bytes(2, new Enc().str(1, id).str(2, 'img').finish()),
        );
      for (const s of subscribers) s.write(frame(ev.finish()));
    },
  };
}

test('protobuf: varints, strings, maps, nested messages', () => {
  const b = new Enc()
    .str(1, 'x')
    .uint(2, 300)
    .uint(3, 2 ** 40)
    .strMap(4, { a: '1', b: '2' })
    .msg(5, new Enc().str(1, 'in'))
    .finish();
  const m = new Msg(b);
  assert.equal(m.str(1), 'x');
  assert.equal(m.num(2), 300);
  assert.equal(m.num(3), 2 ** 40);
  assert.deepEqual(m.strMap(4), { a: '1', b: '2' });
  assert.equal(m.msg(5)!.str(1), 'in');
  assert.equal(m.str(9), '');
  assert.throws(() => decode(Buffer.from([0x0a, 0x05, 0x61])), /truncated/);
});

test('image references', () => {
  assert.deepEqual(parseImageRef('docker.io/falcots/busybox:1.0'), {
    repo: 'docker.io/falcots/busybox',
    tag: '1.0',
    digest: '',
  });
  assert.deepEqual(parseImageRef('localhost:5000/app'), { repo: 'localhost:5000/app', tag: '', digest: '' });
  assert.deepEqual(parseImageRef('busybox@sha256:abc'), { repo: 'busybox', tag: '', digest: 'sha256:abc' });
});

test('containerd client: namespaces, List, Get, Images/Get, NOT_FOUND, events', async () => {
  const f = await fakeContainerd();
  f.containers.set(`default/${ID1}`, containerMsg(ID1, 'docker.io/falcots/busybox:1.0', { app: 'demo' }));
  f.containers.set(
    `k8s.io/${ID2}`,
    containerMsg(
      ID2,
      'registry.k8s.io/pause:3.9',
      {
        'io.kubernetes.pod.name': 'web-1',
        'io.kubernetes.pod.namespace': 'shop',
        'io.kubernetes.container.name': 'web',
        'io.kubernetes.pod.uid': 'u-1',
      },
      true,
    ),
  );
  const c = new ContainerdClient(f.sock, 2000);
  try {
    assert.deepEqual(await c.namespaces(), ['default', 'k8s.io']);
    const list = await c.listContainers('default');
    assert.equal(list.length, 1);
    assert.equal(list[0].id, ID1);
    assert.deepEqual(list[0].labels, { app: 'demo' });
    assert.equal(list[0].runtime, 'io.containerd.runc.v2');
    assert.equal(list[0].createdAt, 1700000000);
    assert.equal(await c.getContainer('default', 'nope'), null);
    const k = await c.getContainer('k8s.io', ID2);
    const img = await c.getImage('k8s.io', k!.image);
    assert.equal(img!.digest, DIGEST);
    const m = containerdToMeta(k!, img);
    assert.equal(m.name, 'web');
    assert.equal(m.type, 'cri');
    assert.equal(m.privileged, true);
    assert.equal(m.imageRepo, 'registry.k8s.io/pause');
    assert.equal(m.imageTag, '3.9');
    assert.equal(m.hostNetwork, false);
    assert.equal(m.hostIpc, true);
    const d = containerdToMeta(list[0], null);
    assert.equal(d.name, ID1.slice(0, 12), "ctr containers are named by their short id, as Falco's plugin does");
    assert.equal(d.type, 'containerd');
    assert.equal(d.privileged, false);
    const seen: string[] = [];
    const h = c.subscribe(
      [],
      (e) => seen.push(`${e.namespace} ${e.topic} ${e.id}`),
      () => {
        /* ended */
      },
    );
    await new Promise((r) => setTimeout(r, 100));
    f.publish('default', '/containers/create', 'x1');
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    h.cancel();
    assert.deepEqual(seen, ['default /containers/create x1']);
  } finally {
    c.close();
  }
});

test('containerd client: an absent socket fails fast with UNAVAILABLE', async () => {
  const c = new ContainerdClient(path.join(TMP, 'absent.sock'), 1000);
  await assert.rejects(c.namespaces(), (e: Error & { code?: number }) => e.code === 14);
  c.close();
});

async function fakeDocker(): Promise<string> {
  const sock = path.join(TMP, `docker-${++socks}.sock`);
  const server = http.createServer((req, res) => {
    const u = req.url ?? '';
    const json = (o: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    if (u.startsWith('/containers/json')) return json([{ Id: ID3 }]);
    if (u === `/containers/${ID3}/json`) {
      return json({
        Id: ID3,
        Name: '/redis-1',
        Created: '2023-11-14T22:13:20.5Z',
        Image: 'sha256:' + 'e'.repeat(64),
        Config: {
          Image: 'redis:7',
          Labels: { tier: 'cache' },
          Env: ['A=1'],
          Healthcheck: { Test: ['CMD-SHELL', 'redis-cli ping'] },
        },
        HostConfig: { Privileged: true, NetworkMode: 'host', PidMode: '', IpcMode: 'private' },
        Mounts: [{ Source: '/data', Destination: '/var/lib/redis', Mode: 'rw', RW: true, Propagation: 'rprivate' }],
        NetworkSettings: { IPAddress: '172.17.0.2' },
      });
    }
    if (u.startsWith('/images/')) return json({ RepoTags: ['redis:7'], RepoDigests: ['redis@' + DIGEST] });
    if (u.startsWith('/events')) {
      res.writeHead(200);
      res.write('');
      return;
    }
    json({ message: 'No such container' }, 404);
  });
  await new Promise<void>((r) => server.listen(sock, r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return sock;
}

test('docker API client: inspect, image digest, 404', async () => {
  const sock = await fakeDocker();
  const d = new DockerClient(sock, 'docker', 2000);
  try {
    assert.deepEqual(await d.list(), [ID3]);
    assert.equal(await d.inspect('f'.repeat(64)), null);
    const m = (await d.inspect(ID3))!;
    assert.equal(m.name, 'redis-1');
    assert.equal(m.imageRepo, 'redis');
    assert.equal(m.imageTag, '7');
    assert.equal(m.imageDigest, DIGEST);
    assert.equal(m.imageId, 'e'.repeat(64));
    assert.equal(m.privileged, true);
    assert.equal(m.hostNetwork, true);
    assert.equal(m.createdTime, 1700000000);
    assert.deepEqual(m.labels, { tier: 'cache' });
    assert.equal(m.ip, ((172 << 24) | (17 << 16) | 2) >>> 0);
    assert.deepEqual(m.healthProbes, [{ type: 'healthcheck', exe: '/bin/sh', args: ['-c', 'redis-cli ping'] }]);
  } finally {
    d.close();
  }
});

function field(st: State, t: ThreadInfo, name: string, arg: string | null = null): unknown {
  st.cur.thread = t;
  return fieldRegistry.bind(name, arg).extract({} as EventView, st);
}

test('manager: listing, background lookups from cgroups, events, last known values; never blocks', async () => {
  const f = await fakeContainerd();
  const dsock = await fakeDocker();
  f.containers.set(`default/${ID1}`, containerMsg(ID1, 'docker.io/falcots/busybox:1.0', { app: 'demo' }));
  const cm = new ContainerManager({
    containerdSocket: f.sock,
    dockerSocket: dsock,
    podmanSocket: path.join(TMP, 'no-podman.sock'),
    timeoutMs: 2000,
  });
  const st = new State();
  cm.attachTable(st.containers);
  const heard: string[] = [];
  cm.onContainer((m) => heard.push(m.id));
  try {
    await cm.start();
    assert.deepEqual([...st.containers.keys()].sort(), [ID1.slice(0, 12), ID3.slice(0, 12)]);
    // a container created after start, found through its thread's cgroups
    f.containers.set(
      `k8s.io/${ID2}`,
      containerMsg(ID2, 'registry.k8s.io/pause:3.9', { 'io.kubernetes.pod.name': 'p' }),
    );
    const t = new ThreadInfo(st);
    t.cgroups = ['cpu=/', `memory=/k8s.io/${ID2}`];
    // noteThread does not wait for the runtime: the id is known at once, the metadata later
    // (checked by what is known, not by a wall-clock bound that a loaded machine breaks)
    cm.noteThread(t);
    assert.equal(field(st, t, 'container.id'), ID2.slice(0, 12));
    assert.equal(field(st, t, 'container.image.repository'), null, 'not known yet');
    await cm.settle();
    assert.equal(field(st, t, 'container.image.repository'), 'registry.k8s.io/pause');
    assert.equal(field(st, t, 'k8s.pod.name'), 'p');
    // an unknown container: looked up once, then left alone (no storm of lookups)
    const u = new ThreadInfo(st);
    u.cgroups = [`=/docker/${'9'.repeat(64)}`];
    cm.noteThread(u);
    await cm.settle();
    const before = f.calls.length;
    cm.noteThread(st.cur.thread);
    cm.noteThread(u);
    await cm.settle();
    assert.equal(f.calls.length, before);
    assert.equal(field(st, u, 'container.id'), '999999999999');
    assert.equal(field(st, u, 'container.name'), null);
    // an event announces a new container
    const ID4 = '4'.repeat(64);
    f.containers.set(`default/${ID4}`, containerMsg(ID4, 'docker.io/library/alpine:3', { new: 'yes' }));
    await new Promise((r) => setTimeout(r, 50));
    f.publish('default', '/containers/create', ID4);
    for (let i = 0; i < 100 && !cm.containers.has(ID4.slice(0, 12)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(st.containers.get(ID4.slice(0, 12))?.labels?.new, 'yes');
    // gone from the runtime: the last known values stay
    f.containers.delete(`default/${ID1}`);
    assert.equal(st.containers.get(ID1.slice(0, 12))?.imageRepo, 'docker.io/falcots/busybox');
    assert.deepEqual([...new Set(heard)].sort(), [ID1, ID2, ID3, ID4].sort());
    // known from the container lookup; its image digest comes from a second call
    await cm.settle();
    assert.equal(st.containers.get(ID4.slice(0, 12))?.imageDigest, DIGEST, 'recorded again with the image digest');
  } finally {
    cm.stop();
  }
});

test('manager: absent sockets are not errors', async () => {
  const cm = new ContainerManager({
    containerdSocket: path.join(TMP, 'x.sock'),
    dockerSocket: path.join(TMP, 'y.sock'),
    podmanSocket: path.join(TMP, 'z.sock'),
  });
  await cm.start();
  const st = new State();
  const t = new ThreadInfo(st);
  t.cgroups = [`=/docker/${ID3}`];
  cm.noteThread(t);
  await cm.settle();
  assert.equal(cm.containers.size, 0);
  assert.deepEqual(cm.errors, []);
  cm.stop();
});

const MINIMAL_META: SectionMetadata = {
  major: 1,
  minor: 2,
  machine: null,
  procs: [],
  fds: new Map(),
  users: [],
  groups: [],
  interfaces: [],
};

test('container events: libs JSON in a CONTAINER_JSON_2_E event, read back by the state parser', async () => {
  const meta = {
    id: ID1,
    name: 'web',
    image: 'docker.io/falcots/busybox:1.0',
    imageRepo: 'docker.io/falcots/busybox',
    imageTag: '1.0',
    imageDigest: DIGEST,
    imageId: '',
    type: 'containerd',
    privileged: true,
    createdTime: 1700000000,
    labels: { app: 'demo', 'io.kubernetes.pod.namespace': 'shop' },
    mounts: [{ source: '/a', dest: '/b', mode: '', rdwr: true, propagation: 'rprivate' }],
  };
  const text = containerToJson(meta);
  assert.ok(text.endsWith('\n'));
  const o = JSON.parse(text) as { container: Record<string, unknown> };
  assert.deepEqual(Object.keys(o.container), Object.keys(o.container).sort(), 'keys sorted, as jsoncpp writes them');
  assert.equal(o.container.id, ID1.slice(0, 12));
  assert.equal(o.container.full_id, ID1);
  assert.equal(o.container.type, 7);
  assert.equal(o.container.lookup_state, 1);
  assert.equal(containerFromJson(text)!.labels!.app, 'demo');
  const ev = containerJsonEvent(meta, 1700000000123456789n);
  assert.equal(ev.readUInt16LE(20), 324);
  assert.equal(ev.readBigInt64LE(8), -1n);
  assert.equal(ev[ev.length - 1], 0);

  const file = path.join(TMP, 'ctr.scap');
  const w = new ScapWriter(openTraceSink(file, 'none'));
  w.writeSection(MINIMAL_META);
  w.writeEventBytes(ev, 0);
  w.close();
  const st = new State();
  const types: string[] = [];
  await readTraceFile(file, {
    onSection: (m) => st.loadSection(m),
    onEvent: (e) => {
      st.processEvent(e);
      types.push(`${e.type} ${st.cur.thread?.comm}`);
    },
  });
  assert.deepEqual(types, [`324 container:${ID1.slice(0, 12)}`]);
  const m = st.containers.get(ID1.slice(0, 12))!;
  assert.equal(m.id, ID1);
  assert.equal(m.type, 'containerd');
  assert.deepEqual(m.labels, meta.labels);
  const t = new ThreadInfo(st);
  t.cgroups = [`name=systemd=/default/${ID1}`];
  assert.equal(field(st, t, 'container.name'), 'web');
  assert.equal(field(st, t, 'container.image.digest'), DIGEST);
  assert.equal(field(st, t, 'container.privileged'), true);
  assert.equal(field(st, t, 'container.label', 'app'), 'demo');
  assert.equal(field(st, t, 'k8s.ns.name'), 'shop');
  assert.equal(field(st, t, 'container.mounts'), '/a:/b::true:rprivate');
});
