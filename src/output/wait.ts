/** Small bounded waits for the asynchronous outputs' close(). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls cond every few ms until it holds (true) or the deadline (epoch ms) passes (false). */
export async function waitFor(cond: () => boolean, deadline: number, stepMs = 5): Promise<boolean> {
  while (!cond()) {
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(stepMs, Math.max(1, deadline - Date.now())));
  }
  return true;
}
