/** The validated, frozen configuration every other module reads. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';

export interface SslSettings {
  mode: SslMode;
  rootCert?: string;
  cert?: string;
  key?: string;
  keyPassphrase?: string;
}

export interface SshTunnelSettings {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  privateKeyPassphrase?: string;
  hostKey?: string;
}

export interface TapConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  dbname: string;
  filterDbs: readonly string[] | null;
  filterSchemas: readonly string[] | null;
  discoverPartitions: boolean;
  ssl: SslSettings;
  sshTunnel: SshTunnelSettings | null;
  defaultReplicationMethod: ReplicationMethod | null;
  includeSchemasInStreamName: boolean;
  includeDatabaseInStreamName: boolean;
  logicalPollTotalSeconds: number;
  maxRunSeconds: number;
  breakAtEndLsn: boolean;
  /** slot_name: one name (for `dbname`), a map by database, or null (stitch_<db>, then stitch). */
  slotName: string | Readonly<Record<string, string>> | null;
  /** pgoutput slots: the publication read; null means the slot's name. */
  publicationName: string | null;
  outOfRangeValues: 'null' | 'clamp';
  jsonForm: 'string' | 'value' | 'object';
  numericAsString: boolean;
  dateFormat: 'date-time' | 'date';
  itersize: number;
  stateIntervalRows: number;
  schemaDrift: 'follow' | 'fail';
}
