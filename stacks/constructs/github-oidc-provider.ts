import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { Construct } from 'constructs';
import { keepStackAddresses } from './stack-addresses';

/** GitHub Actions' token issuer ("OpenID Connect reference", GitHub Docs). */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials asks GitHub to put in the token. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface GithubOidcProviderProps {
  /** The account's provider when one exists already (IAM allows one per issuer and account). */
  readonly existingArn?: string;
}

/** The IAM OIDC identity provider GitHub Actions' tokens are exchanged through: created, or the existing one. */
export class GithubOidcProvider extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps) {
    super(scope, id);
    keepStackAddresses(this);
    if (props.existingArn !== undefined) {
      this.arn = props.existingArn;
      return;
    }
    // No thumbprint_list (optional in provider 5.100; terraform validate checks the schema): IAM
    // verifies GitHub's certificate against its library of trusted root CAs and ignores thumbprints for
    // this issuer ("Obtain the thumbprint for an OpenID Connect identity provider", IAM User Guide), and
    // CreateOpenIDConnectProvider fills one in itself when none is given. No value to hard-code or rotate.
    this.arn = new IamOpenidConnectProvider(this, 'github-oidc-provider', {
      url: `https://${GITHUB_OIDC_ISSUER}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
    }).arn;
  }
}
