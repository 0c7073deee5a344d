/**
 * The one config schema: ajv validates against it, `--about` lists it and README's table mirrors
 * it. Booleans and integers are coerced from strings because Stitch writes every value as a string.
 * `secret: true` marks values that must never reach a log line or an error message.
 */
export interface SettingDoc {
  key: string;
  type: string;
  default?: unknown;
  description: string;
  secret: boolean;
}

const SSH_TUNNEL_SCHEMA = {
  type: 'object',
  description: 'SSH tunnel through a bastion: {enabled, host, port, username, password or private_key, private_key_passphrase, host_key}.',
  properties: {
    enabled: { type: 'boolean', default: true },
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 22 },
    username: { type: 'string', minLength: 1 },
    password: { type: 'string', secret: true },
    private_key: { type: 'string', secret: true },
    private_key_passphrase: { type: 'string', secret: true },
    host_key: { type: 'string' },
  },
};

export const CONFIG_SCHEMA = {
  type: 'object',
  properties: {
    host: { type: 'string', minLength: 1, default: 'localhost', description: 'PostgreSQL host name or address, or a Unix-socket directory such as /var/run/postgresql (PGHOST).' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 5432, description: 'PostgreSQL port (PGPORT).' },
    user: { type: 'string', minLength: 1, description: 'Database user (PGUSER).' },
    password: { type: 'string', secret: true, description: 'Password of the user (PGPASSWORD).' },
    dbname: { type: 'string', minLength: 1, description: 'Database used to connect and to list the other databases (PGDATABASE).' },
    filter_dbs: { type: 'string', description: 'Comma-separated databases to discover; default: every database the user can connect to.' },
    filter_schemas: { type: 'string', description: 'Comma-separated schemas to discover; default: every non-system schema.' },
    discover_partitions: { type: 'boolean', default: false, description: 'Also list partitions of partitioned tables as streams of their own.' },
    ssl: { type: 'boolean', default: false, description: 'true = sslmode require (the Stitch spelling); sslmode refines it.' },
    sslmode: { enum: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'], description: 'libpq sslmode (PGSSLMODE).' },
    ssl_root_cert: { type: 'string', description: 'CA certificate (file path or PEM) for verify-ca / verify-full (PGSSLROOTCERT).' },
    ssl_cert: { type: 'string', description: 'Client certificate (file path or PEM) (PGSSLCERT).' },
    ssl_key: { type: 'string', secret: true, description: 'Client private key (file path or PEM) (PGSSLKEY).' },
    ssl_key_passphrase: { type: 'string', secret: true, description: 'Passphrase of an encrypted ssl_key.' },
    ssh_tunnel: SSH_TUNNEL_SCHEMA,
    default_replication_method: { enum: ['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'], description: 'Method for selected streams whose metadata names none.' },
    include_schemas_in_destination_stream_name: { type: 'boolean', default: false, description: 'Stream names become <schema>_<table>.' },
    include_database_in_destination_stream_name: { type: 'boolean', default: false, description: 'Stream names become <database>_<schema>_<table>, unique across databases; applied at discovery and at sync (it overrides the catalog\'s stream names).' },
    logical_poll_total_seconds: { type: 'integer', minimum: 1, default: 10, description: 'Log-based: stop after this many seconds without a new change.' },
    max_run_seconds: { type: 'integer', minimum: 1, default: 43200, description: 'Log-based: stop reading changes after this many seconds.' },
    break_at_end_lsn: { type: 'boolean', default: true, description: 'Log-based: stop at the WAL end position captured at start.' },
    slot_name: {
      anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', additionalProperties: { type: 'string', minLength: 1 } }],
      description: 'Log-based replication slot: one name (for the database in dbname), or {"<database>": "<slot>", …}; default stitch_<db>, then stitch.',
    },
    publication_name: { type: 'string', minLength: 1, description: 'Log-based through a pgoutput slot: the publication to read (it must cover the selected tables); default the slot\'s name.' },
    out_of_range_values: { enum: ['null', 'clamp'], default: 'null', description: 'infinity/-infinity dates and timestamps, BC and past-9999 years, numeric/float NaN and Infinity: write null, or clamp to the nearest representable value (NaN is always null). A warning is logged once per column either way.' },
    json_format: { enum: ['string', 'value', 'object'], default: 'string', description: 'json/jsonb values: "string" = the JSON text in a string (exact; loads into every target as text), "value" = the parsed value (any JSON type), "object" = the parsed value typed [null, object, array] (jsonb columns in pipelinewise-target-postgres and target-duckdb; a validating target rejects scalar documents). A column\'s schema in the catalog can choose per column.' },
    json_as_string: { type: 'boolean', description: 'Older spelling: true = json_format "string", false = json_format "value" (json_format wins when both are set).' },
    numeric_as_string: { type: 'boolean', default: false, description: 'numeric, real and double precision as their exact text in a string, for targets that load JSON numbers as floats. A column\'s schema in the catalog can choose per column.' },
    date_format: { enum: ['date-time', 'date'], default: 'date-time', description: 'date columns as date-time at midnight UTC (singer-io), or as format: date (YYYY-MM-DD).' },
    itersize: { type: 'integer', minimum: 1, default: 20000, description: 'Accepted for singer-io compatibility; rows stream through COPY in network-sized chunks, so memory stays constant without it.' },
    state_interval_rows: { type: 'integer', minimum: 1, default: 10000, description: 'Emit STATE at least every N records (and at the end of the run; between streams when N records or a second passed since the last STATE).' },
    schema_drift: { enum: ['follow', 'fail'], default: 'follow', description: 'A column added, dropped or retyped since discovery: follow it (a new SCHEMA, added columns synced unless deselected, a warning), or fail the run before reading the stream.' },
  },
  required: ['user', 'dbname'],
} as const;

export const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(CONFIG_SCHEMA.properties));

/** The settings as a flat list, for `--about` and README. */
export function settingDocs(): SettingDoc[] {
  return Object.entries(CONFIG_SCHEMA.properties).map(([key, raw]) => {
    const prop = raw as { type?: string; enum?: readonly string[]; anyOf?: readonly { type: string }[]; default?: unknown; description: string; secret?: boolean };
    return {
      key,
      type: prop.type ?? (prop.anyOf === undefined ? `one of ${(prop.enum ?? []).join(', ')}` : prop.anyOf.map((choice) => choice.type).join(' or ')),
      ...(prop.default === undefined ? {} : { default: prop.default }),
      description: prop.description,
      secret: prop.secret === true,
    };
  });
}
