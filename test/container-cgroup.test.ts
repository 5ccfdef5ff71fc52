/**
 * Container ids from cgroup paths: docker, containerd (ctr: /<namespace>/<id>), CRI with
 * containerd and cri-o (systemd scopes, kubepods), podman; cgroup v1, hybrid and v2 lines;
 * host paths stay the host. And the container.* fields on a thread with such cgroups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addContainerdNamespace, matchCgroupPath, matchCgroups, parseProcCgroup } from '../src/container/cgroup';
import { State } from '../src/state/state';
import { ThreadInfo } from '../src/state/threadinfo';
import { fieldRegistry } from '../src/filter/fields/registry';
import type { EventView } from '../src/event/view';

const ID = '0bcaf0ecbddff1f30d4ab9a047d1a827adbc70cfb1c9426e578b0506d829b77a';
const UID = '3a4b2c1d-1111-2222-3333-444455556666';

test('runtime layouts give the 12-char id, the full id and the runtime', () => {
  const cases: [string, string, string?][] = [
    [`/docker/${ID}`, 'docker'],
    [`/system.slice/docker-${ID}.scope`, 'docker'],
    [`/default/${ID}`, 'containerd', 'default'],
    [`/k8s.io/${ID}`, 'containerd', 'k8s.io'],
    [`/kubepods/besteffort/pod${UID}/${ID}`, 'cri'],
    [
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope`,
      'containerd',
    ],
    [
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID.replace(/-/g, '_')}.slice/crio-${ID}.scope`,
      'cri-o',
    ],
    [`/kubepods/pod${UID}/crio-${ID}`, 'cri-o'],
    [
      `/system.slice/containerd.service/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice:cri-containerd:${ID}`,
      'containerd',
    ],
    [`/machine.slice/libpod-${ID}.scope`, 'podman'],
    [`/machine.slice/libpod-${ID}.scope/container`, 'podman'],
    [`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`, 'podman'],
    [`/libpod_parent/libpod-${ID}`, 'podman'],
  ];
  for (const [p, type, ns] of cases) {
    const m = matchCgroupPath(p);
    assert.ok(m !== null, p);
    assert.equal(m.id, ID.slice(0, 12), p);
    assert.equal(m.fullId, ID, p);
    assert.equal(m.type, type, p);
    if (ns !== undefined) assert.equal(m.namespace, ns, p);
  }
});

test('ctr ids that are not hex, under a known containerd namespace', () => {
  assert.deepEqual(matchCgroupPath('/default/web-1'), {
    fullId: 'web-1',
    id: 'web-1',
    type: 'containerd',
    namespace: 'default',
  });
  assert.equal(matchCgroupPath('/default/a-long-container-name')!.id, 'a-long-conta');
  assert.equal(matchCgroupPath('/myns/web-1'), null, 'unknown namespace: not a container');
  addContainerdNamespace('myns');
  assert.equal(matchCgroupPath('/myns/web-1')!.namespace, 'myns');
});

test('host cgroups are the host', () => {
  for (const p of [
    '/',
    '',
    '/user.slice/user-0.slice/session-1.scope',
    '/system.slice/containerd.service',
    '/process_api/5de8f7df4f0f8ada140d202d0c78da4c',
    `/docker/${ID.slice(0, 63)}`,
    `/docker/${ID}x`,
    '/init.scope',
    '/system.slice/docker.service',
    `/a/b/${ID.slice(0, 32)}`,
  ]) {
    assert.equal(matchCgroupPath(p), null, p);
  }
});

test('v1, hybrid and v2 /proc/<pid>/cgroup text', () => {
  const v1 = `9:name=systemd:/default/${ID}\n8:pids:/default/${ID}\n4:memory:/default/${ID}\n0::/default/${ID}\n`;
  const hybridHost = '9:name=systemd:/\n4:memory:/process_api/5de8f7df4f0f8ada140d202d0c78da4c\n0::/\n';
  const v2 = `0::/system.slice/docker-${ID}.scope\n`;
  assert.deepEqual(parseProcCgroup(v2), [`=/system.slice/docker-${ID}.scope`]);
  assert.equal(matchCgroups(parseProcCgroup(v1))!.type, 'containerd');
  assert.equal(matchCgroups(parseProcCgroup(v2))!.type, 'docker');
  assert.equal(matchCgroups(parseProcCgroup(hybridHost)), null);
  // libsinsp's entries: subsys=path, the first that names a container wins
  assert.equal(matchCgroups(['cpu=/', `memory=/docker/${ID}`])!.id, ID.slice(0, 12));
});

function extract(st: State, t: ThreadInfo, field: string): unknown {
  const b = fieldRegistry.bind(field, null);
  st.cur.thread = t;
  return b.extract({} as EventView, st);
}

test('container.* and k8s.* fields on a thread', () => {
  const st = new State();
  const host = new ThreadInfo(st);
  host.cgroups = ['cpu=/', 'memory=/process_api/5de8f7df4f0f8ada140d202d0c78da4c'];
  assert.equal(extract(st, host, 'container.id'), 'host');
  assert.equal(extract(st, host, 'container.name'), 'host');
  assert.equal(extract(st, host, 'k8s.pod.name'), null);
  const t = new ThreadInfo(st);
  t.cgroups = [`cpu=/kubepods/besteffort/pod${UID}/${ID}`];
  assert.equal(extract(st, t, 'container.id'), ID.slice(0, 12));
  assert.equal(extract(st, t, 'container.full_id'), ID);
  assert.equal(extract(st, t, 'container.name'), null, 'no metadata yet');
  st.containers.set(ID.slice(0, 12), {
    id: ID,
    name: 'web',
    image: 'docker.io/library/nginx:1.25',
    imageRepo: 'docker.io/library/nginx',
    imageTag: '1.25',
    type: 'cri',
    createdTime: 1700000000,
    labels: {
      'io.kubernetes.pod.name': 'web-7d4b9',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': UID,
      'io.kubernetes.container.name': 'web',
      'io.kubernetes.sandbox.id': 'f'.repeat(64),
      app: 'web',
      tier: 'front',
    },
  });
  assert.equal(extract(st, t, 'container.name'), 'web');
  assert.equal(extract(st, t, 'container.image.repository'), 'docker.io/library/nginx');
  assert.equal(extract(st, t, 'container.image.tag'), '1.25');
  assert.equal(extract(st, t, 'container.type'), 'cri');
  assert.equal(extract(st, t, 'container.start_ts'), 1700000000n * 1000000000n);
  assert.equal(fieldRegistry.bind('container.label', 'app').extract({} as EventView, st), 'web');
  assert.equal(fieldRegistry.bind('container.label.tier', null).extract({} as EventView, st), 'front');
  assert.equal(fieldRegistry.bind('container.label', 'nope').extract({} as EventView, st), null);
  assert.match(
    String(extract(st, t, 'container.labels')),
    /^app:web,io\.kubernetes\.container\.name:web,.*tier:front$/,
  );
  assert.equal(extract(st, t, 'k8s.pod.name'), 'web-7d4b9');
  assert.equal(extract(st, t, 'k8s.ns.name'), 'shop');
  assert.equal(extract(st, t, 'k8s.pod.uid'), UID);
  assert.equal(extract(st, t, 'k8s.pod.sandbox_id'), 'ffffffffffff');
  assert.equal(fieldRegistry.bind('k8s.pod.label', 'app').extract({} as EventView, st), 'web');
  assert.equal(fieldRegistry.bind('k8s.pod.label.tier', null).extract({} as EventView, st), 'front');
  assert.equal(extract(st, t, 'k8s.pod.labels'), 'app:web,tier:front');
});
