/** `npm run token`: an access token for the deployed API, alone on stdout. */
import { parseFlags, runCommand } from '../lib/cli';
import { ApiEnvironment, TARGET_FLAGS, TARGET_USAGE, resolveTarget } from './cli';

export const TOKEN_USAGE = `Usage: npm run token [-- [--outputs-file <file> | --local]]

Prints an access token for the prediction API (OAuth client credentials of the api stack's machine
client, scope <resource server>/predict, valid for an hour) and nothing else on stdout, so that
TOKEN=$(npm run -s token) works (-s keeps npm's own lines off stdout). The client secret is read from
Cognito with your AWS credentials (cognito-idp:DescribeUserPoolClient) and never printed. With --local,
the token comes from the local issuer of \`npm start\` instead.

${TARGET_USAGE}
  --help                 show this text`;

const FLAGS = { ...TARGET_FLAGS, help: { type: 'boolean' } } as const;

export function tokenMain(argv: readonly string[], environment: ApiEnvironment): Promise<number> {
  return runCommand(environment, TOKEN_USAGE, async () => {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      environment.print(TOKEN_USAGE);
      return 0;
    }
    const target = await resolveTarget(flags, environment);
    const token = await target.token();
    environment.print(token);
    environment.printError(
      `Access token for ${target.url} (valid for an hour). With TOKEN=$(npm run -s token):\n` +
        `  curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data @dataset/test-request-body.json ${target.url}`,
    );
    return 0;
  });
}
