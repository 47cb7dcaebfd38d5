/**
 * What the report may print of a planned value. Values Terraform marks sensitive (the plan's
 * `before_sensitive` / `after_sensitive` trees, `sensitive` outputs) are never rendered; everything
 * else still passes through `maskSecrets`, because a secret in a non-sensitive attribute (a key pasted
 * into a tag, a password in a connection URL) would otherwise land in a pull-request comment.
 */

export const SENSITIVE = '(sensitive value)';
export const MASKED = '(masked: looks like a secret)';
export const UNKNOWN = '(known after apply)';

/** Patterns of values that are secrets whatever attribute holds them. */
const SECRET_PATTERNS: readonly RegExp[] = [
  // PEM private keys (RSA, EC, OPENSSH, PKCS#8, encrypted); a cut-off block is masked to the end.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // AWS access key ids: AKIA (long-term) and ASIA (temporary) prefixes, 20 characters in all
  // (IAM User Guide, "IAM identifiers", section "Unique identifiers": its table of ID prefixes).
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
];

/** A password in a URL's userinfo (`scheme://user:password@host`): only the password is hidden. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi;

/** Long runs of token characters; masked when they look random (see `looksLikeToken`). */
const TOKEN_CANDIDATE = /[A-Za-z0-9+/_-]{32,}={0,2}/g;

/**
 * Hex strings of 32+ characters (API tokens, HMAC keys) and base64/base64url strings of 32+ characters
 * that mix upper case, lower case and digits (AWS secret access keys are 40 such characters). Resource
 * names (lower case and hyphens) and ARNs (split by colons) do not match.
 */
function looksLikeToken(candidate: string): boolean {
  const body = candidate.replace(/=+$/, '');
  if (/^[0-9a-f]+$/i.test(body) && /\d/.test(body) && /[a-f]/i.test(body)) return true;
  return /[A-Z]/.test(candidate) && /[a-z]/.test(candidate) && /\d/.test(candidate);
}

/** Replaces every secret-looking part of a string. */
export function maskSecrets(text: string): string {
  let masked = SECRET_PATTERNS.reduce((current, pattern) => current.replace(pattern, MASKED), text);
  masked = masked.replace(URL_PASSWORD, (_, prefix: string) => `${prefix}${MASKED}@`);
  return masked.replace(TOKEN_CANDIDATE, (candidate) => (looksLikeToken(candidate) ? MASKED : candidate));
}

/** True when a sensitivity marker (true, or an object/array with a true anywhere inside) covers a value. */
export function isMarkedSensitive(marker: unknown): boolean {
  if (marker === true) return true;
  if (marker && typeof marker === 'object') return Object.values(marker).some(isMarkedSensitive);
  return false;
}

const MAX_VALUE_CHARS = 160;

/** One value as the report shows it: sensitive, unknown, or compact JSON, shortened and masked. */
export function renderValue(value: unknown, { sensitive = false, unknown = false } = {}): string {
  if (sensitive) return SENSITIVE;
  if (unknown) return UNKNOWN;
  if (value === undefined) return 'null';
  // Masks before shortening, so a cut can never leave part of a secret unrecognised.
  const json = maskSecrets(JSON.stringify(value));
  return json.length > MAX_VALUE_CHARS ? `${json.slice(0, MAX_VALUE_CHARS)}... (${json.length} chars)` : json;
}
