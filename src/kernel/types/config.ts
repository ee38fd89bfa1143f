/** The deployment's configuration, read from the environment by loadConfig (config.ts). */
export interface SeamsConfig {
  port: number;
  /** The address to listen on (default 127.0.0.1); anything but loopback needs adminToken. */
  host?: string;
  dataDir: string;
  store: 'sqlite' | 'postgres' | 'eventstoredb';
  databaseUrl?: string;
  eventstoreUrl?: string;
  /** Modules to run in this process; undefined means all. */
  modules?: string[];
  /** The admin credential (SEAMS_ADMIN_TOKEN); cluster members also send it to each other. */
  adminToken?: string;
  logLevel: string;
  /** `json` (one object per line) or `pretty` (readable); unset: pretty on a terminal, JSON otherwise. */
  logFormat?: 'json' | 'pretty';
  /** PostgreSQL: prefix of the store's and the modules' schema names. */
  pgSchemaPrefix?: string;
  /** PostgreSQL: a role per module with rights on its own schema only. */
  pgModuleRoles?: boolean;
  /** PostgreSQL: the secret the module roles' passwords are derived from (else generated into the data directory). */
  pgRoleSecret?: string;
  /** Several processes share the work: leases, peers, calls over HTTP (on when SEAMS_MODULES is set). */
  cluster?: boolean;
  processId?: string;
  publicUrl?: string;
  leaseTtlMs?: number;
  /** `/health/ready` answers 503 while a projection is more than this many seconds behind (unset: only a stopped one fails it). */
  readyMaxLagS?: number;
  /** What parked streams make of /health/ready: `degraded` (default; still serving) or `down` (503). */
  readyParked?: 'degraded' | 'down';
  /** Peers and leases in `<clusterDir>/cluster.sqlite` instead of beside the store: shared by the deployables of a split. */
  clusterDir?: string;
  /** PostgreSQL: peers and leases in this schema instead of the store's: shared by the deployables of a split. */
  clusterSchema?: string;
  /** The broker linking deployables that have stores of their own (RabbitMQ, `amqp://…`); implies cluster mode. */
  brokerUrl?: string;
  /** Prefix of the broker's exchange and queues (default `seams`): one per deployment. */
  brokerPrefix?: string;
  /** This store's name in position tokens and on the broker (default `main`; with ownStore, its modules joined by `+`). */
  storeName?: string;
  /** This deployable's store holds its own modules' events only: an extracted module. */
  ownStore?: boolean;
  /** The modules whose events this store holds, when several processes write to it (default: those run here). */
  storeModules?: string[];
  /**
   * Where modules read their own settings (each module declares its variables with
   * defineConfig): the process environment unless given (tests pass their own).
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Where module databases live (DESIGN.md rule 5): on SQLite each module has its own file; on
 * PostgreSQL its own schema, and optionally its own role with rights on that schema alone.
 */
export type ModuleDatabaseConfig =
  | { kind: 'sqlite'; dataDir: string }
  | {
      kind: 'postgres';
      connectionString: string;
      /** Prepended to module names to make schema names (tests use a random one). */
      schemaPrefix?: string;
      /** Create a role per module that owns its schema, and connect as that role. */
      moduleRoles?: boolean;
      /**
       * Where the module roles' passwords come from: derived from `secret` (SEAMS_PG_ROLE_SECRET,
       * the same on every member of a cluster), or generated once into `<dataDir>/pg-roles/<role>` (0600).
       */
      rolePasswords?: { secret?: string; dataDir?: string };
    };
