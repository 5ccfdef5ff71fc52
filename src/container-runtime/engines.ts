/** The container runtimes we can ask for metadata (kept apart so option parsing loads no client). */
export type EngineName = 'containerd' | 'docker' | 'podman';
export const ALL_ENGINES: EngineName[] = ['containerd', 'docker', 'podman'];
