import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppConfig } from '../config/app-config';

export const ADMIN_TOKEN_FILE = 'admin-token';

/** Where the admin token came from, so start-up can say where the owner finds it. */
export type AdminTokenSource =
  | { kind: 'environment'; token: string }
  | { kind: 'file'; token: string; file: string; created: boolean }
  | { kind: 'none' };

/**
 * The admin token: `ADMIN_TOKEN` when set. Otherwise, outside production, a random one kept in the
 * data folder (created on first start, readable by its owner only), so `npm start` has a console
 * a newcomer can open. In production without `ADMIN_TOKEN` there is none: every task must share the
 * same token, which a file on one task's disk cannot give, so the console stays closed.
 */
export function resolveAdminToken(
  config: Pick<AppConfig, 'admin' | 'dataDir' | 'production'>,
): AdminTokenSource {
  if (config.admin.token) return { kind: 'environment', token: config.admin.token };
  if (config.production) return { kind: 'none' };
  const file = join(config.dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 24) return { kind: 'file', token, file, created: false };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { kind: 'file', token, file, created: true };
}
