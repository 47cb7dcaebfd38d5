import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdktf.out/', 'coverage/', '.terraform-cli/', '.stryker-tmp*/', 'reports/', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Deep imports keep synth fast: the provider's root index costs ~2.5 s per process.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@cdktf/provider-aws', message: 'Deep-import @cdktf/provider-aws/lib/<resource> instead.' }] },
      ],
    },
  },
  {
    // The rule pack judges synthesized Terraform JSON: it must stay independent of the stacks it judges.
    files: ['policy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@cdktf/provider-aws', message: 'Deep-import @cdktf/provider-aws/lib/<resource> instead.' }],
          patterns: [{ group: ['**/stacks', '**/stacks/**'], message: 'policy/ must not import from stacks/.' }],
        },
      ],
    },
  },
);
