import { resolve } from 'node:path';
import { z } from 'zod';
import { wholeNumber } from './contracts/validation.js';
import { ValidationError } from './errors.js';
import type { ModuleDatabaseConfig, SeamsConfig } from './types/config.js';

/** A store's name in position tokens and on the broker: lower-case letters, digits, `+`, `_`, `-`; no `:`, `,` or `.`. */
export const STORE_NAME = /^[a-z0-9][a-z0-9+_-]{0,63}$/;

/**
 * The kernel's configuration from the environment (API.md, "Configuration"); bad values fail
 * fast with one line. Modules declare their own settings (defineConfig) beside their code.
 */
const schema = z.object({
  PORT: wholeNumber(0, 65535).default(3000),
  HOST: z.string().min(1).max(255).default('127.0.0.1'),
  SEAMS_DATA_DIR: z.string().min(1).default('./data'),
  SEAMS_STORE: z.enum(['sqlite', 'postgres', 'eventstoredb']).default('sqlite'),
  DATABASE_URL: z.string().optional(),
  EVENTSTORE_URL: z.string().optional(),
  SEAMS_MODULES: z.string().optional(),
  SEAMS_ADMIN_TOKEN: z.string().min(16, 'SEAMS_ADMIN_TOKEN must be at least 16 characters').optional(),
  SEAMS_PG_SCHEMA_PREFIX: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case identifier prefix').optional(),
  SEAMS_PG_MODULE_ROLES: z.enum(['true', 'false']).default('false'),
  SEAMS_PG_ROLE_SECRET: z.string().min(32, 'SEAMS_PG_ROLE_SECRET must be at least 32 characters').optional(),
  SEAMS_CLUSTER: z.enum(['true', 'false']).optional(),
  SEAMS_PROCESS_ID: z.string().min(1).max(200).optional(),
  SEAMS_PUBLIC_URL: z.url().optional(),
  SEAMS_LEASE_TTL_MS: wholeNumber(100, 600_000).default(10_000),
  SEAMS_READY_MAX_LAG_S: wholeNumber(1, 86_400).optional(),
  SEAMS_READY_PARKED: z.enum(['degraded', 'down']).default('degraded'),
  SEAMS_CLUSTER_DIR: z.string().min(1).optional(),
  SEAMS_CLUSTER_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case identifier').optional(),
  SEAMS_BROKER_URL: z.string().regex(/^amqps?:\/\/\S+$/, 'must be an amqp:// or amqps:// URL').optional(),
  SEAMS_BROKER_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, _ or -').default('seams'),
  SEAMS_STORE_NAME: z.string().regex(STORE_NAME, 'must be lower-case letters, digits, +, _ or - (at most 64)').optional(),
  SEAMS_OWN_STORE: z.enum(['true', 'false']).default('false'),
  SEAMS_STORE_MODULES: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export type { SeamsConfig };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SeamsConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.SEAMS_STORE === 'postgres' && !e.DATABASE_URL) throw new ValidationError('configuration: SEAMS_STORE=postgres needs DATABASE_URL');
  if (e.SEAMS_STORE === 'eventstoredb' && !e.EVENTSTORE_URL) throw new ValidationError('configuration: SEAMS_STORE=eventstoredb needs EVENTSTORE_URL');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.SEAMS_DATA_DIR),
    store: e.SEAMS_STORE,
    databaseUrl: e.DATABASE_URL,
    eventstoreUrl: e.EVENTSTORE_URL,
    modules: e.SEAMS_MODULES?.split(',').map((m) => m.trim()).filter(Boolean),
    adminToken: e.SEAMS_ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    pgSchemaPrefix: e.SEAMS_PG_SCHEMA_PREFIX,
    pgModuleRoles: e.SEAMS_PG_MODULE_ROLES === 'true',
    pgRoleSecret: e.SEAMS_PG_ROLE_SECRET,
    cluster: e.SEAMS_CLUSTER ? e.SEAMS_CLUSTER === 'true' : e.SEAMS_MODULES !== undefined || e.SEAMS_BROKER_URL !== undefined,
    processId: e.SEAMS_PROCESS_ID,
    publicUrl: e.SEAMS_PUBLIC_URL,
    leaseTtlMs: e.SEAMS_LEASE_TTL_MS,
    readyMaxLagS: e.SEAMS_READY_MAX_LAG_S,
    readyParked: e.SEAMS_READY_PARKED,
    clusterDir: e.SEAMS_CLUSTER_DIR && resolve(e.SEAMS_CLUSTER_DIR),
    clusterSchema: e.SEAMS_CLUSTER_SCHEMA,
    brokerUrl: e.SEAMS_BROKER_URL,
    brokerPrefix: e.SEAMS_BROKER_PREFIX,
    storeName: e.SEAMS_STORE_NAME,
    ownStore: e.SEAMS_OWN_STORE === 'true',
    storeModules: e.SEAMS_STORE_MODULES?.split(',').map((m) => m.trim()).filter(Boolean),
    // Modules read their own variables from the same environment (defineConfig).
    env,
  };
}

/** A host name that only this machine reaches. */
export const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/**
 * Without SEAMS_ADMIN_TOKEN the admin routes answer local clients only, which is safe only on a
 * server nobody else reaches: listening elsewhere, or in a cluster (whose members call each
 * other's admin routes and must prove who they are), needs the token. Refused with one line.
 */
export function assertServable(config: Pick<SeamsConfig, 'host' | 'adminToken' | 'cluster'>): void {
  const host = config.host ?? '127.0.0.1';
  if (config.adminToken) return;
  if (!isLoopbackHost(host)) throw new ValidationError(`configuration: HOST=${host} needs SEAMS_ADMIN_TOKEN (without it the admin endpoints trust local clients, so the server listens on loopback only)`);
  if (config.cluster) throw new ValidationError('configuration: cluster mode needs SEAMS_ADMIN_TOKEN, the secret cluster members authenticate their calls to each other with');
}

/** Module databases (and cluster leases) are on PostgreSQL with the Postgres store, or beside EventStoreDB when DATABASE_URL is given. */
export const usesPostgres = (config: Pick<SeamsConfig, 'store' | 'databaseUrl'>) => config.store === 'postgres' || (config.store === 'eventstoredb' && Boolean(config.databaseUrl));

/** Where module databases live for this configuration. */
export function moduleDatabaseConfig(config: SeamsConfig): ModuleDatabaseConfig {
  return usesPostgres(config)
    ? { kind: 'postgres', connectionString: config.databaseUrl!, schemaPrefix: config.pgSchemaPrefix, moduleRoles: config.pgModuleRoles, rolePasswords: { secret: config.pgRoleSecret, dataDir: config.dataDir } }
    : { kind: 'sqlite', dataDir: config.dataDir };
}
