/**
 * What the report may print of a planned value. Terraform's renderer already prints every value it
 * marks sensitive (sensitive attributes and outputs, sensitive variables) as `(sensitive value)`;
 * on top of that, `maskSecrets` hides values whose shape is unmistakably a credential, because a key
 * pasted into a tag or a password in a connection URL would otherwise land in a pull-request comment.
 * Only unmistakable shapes: names of log groups, role paths and S3 keys mix case and digits too, and a
 * masked name hides the very change a reviewer must see.
 */

export const SENSITIVE = '(sensitive value)';
export const MASKED = '(masked: looks like a secret)';

/** Shapes that are secrets whatever attribute holds them. */
const SECRET_PATTERNS: readonly RegExp[] = [
  // PEM private keys (RSA, EC, OPENSSH, PKCS#8, encrypted); a cut-off block is masked to the end.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // AWS access key ids: AKIA (long-term) and ASIA (temporary) prefixes, 20 characters in all
  // (IAM User Guide, "IAM identifiers", section "Unique identifiers": its table of ID prefixes).
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
  // GitHub tokens: ghp_ (classic), gho_, ghu_, ghs_, ghr_ and fine-grained github_pat_ ("About
  // authentication to GitHub", section "GitHub's token formats").
  /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g,
  // Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-).
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  // JSON Web Tokens: three base64url parts, the first two JSON objects (`eyJ` is `{"`).
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
];

/** A password in a URL's userinfo (`scheme://user:password@host`): only the password is hidden. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]+:)([^\s@/"]+)@/gi;

/** Replaces every secret-shaped part of a text. */
export function maskSecrets(text: string): string {
  const masked = SECRET_PATTERNS.reduce((current, pattern) => current.replace(pattern, MASKED), text);
  return masked.replace(URL_PASSWORD, (_, prefix: string) => `${prefix}${MASKED}@`);
}
