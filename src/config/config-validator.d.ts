// Types of dist/src/config/config-validator.js, which the build generates from the config schema
// (scripts/build-config-validator.ts): ajv's standalone validator, no compiler at run time.
import type { ErrorObject } from 'ajv';

interface ConfigValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

declare const validate: ConfigValidator;
export default validate;
