/**
 * How the config is validated: types coerced (environment variables are strings), defaults
 * filled in, every error collected. Shared by the build step that generates the validator and
 * the tests that compare it with the schema.
 */
export const CONFIG_VALIDATOR_OPTIONS = { coerceTypes: true, useDefaults: true, allErrors: true, strict: false } as const;
