/**
 * Imported first by every command that calls AWS, so that its one-line errors stay one line. On Node 20
 * the AWS SDK for JavaScript v3 prints an 8-line NodeVersionSupportWarning (its versions published
 * after the first week of January 2027 will need Node 22) when it creates its first client. AWS's
 * announcement, "January 2027: End of Support for Node.js 20.x in AWS SDK for JavaScript"
 * (aws/aws-sdk-js-v3 issue 7983), names this variable to turn it off; the SDK reads it when it creates
 * a client, and a value set in the shell wins. The project supports Node 20.19 and later (22
 * recommended, README); the Lambda itself runs Node 22.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
