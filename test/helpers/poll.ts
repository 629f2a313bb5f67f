/**
 * Resolves once `check` holds, asked every `everyMs`; rejects with `failure()` after `ms`.
 * How the tests wait for a state another process or session reaches, instead of a fixed delay.
 */
export async function poll(
  check: () => boolean | Promise<boolean>,
  failure: () => string,
  { ms = 30_000, everyMs = 20 }: { ms?: number; everyMs?: number } = {},
): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
