import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

// Module boundaries that really restrict: the CLI never imports service code, domain libs never
// touch gRPC, queues or child processes, and generated code is imported only through @berth/proto.
const serviceOnly = ['scope:daemon', 'scope:image-store', 'scope:runtime'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/proto/src/gen/**', '**/*.js', '**/*.mjs', 'tests/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:generated', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:generated'],
              bannedExternalImports: ['@grpc/*', 'bullmq', 'ioredis', 'child_process', 'node:child_process'],
            },
            { sourceTag: 'type:storage', onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:generated'], bannedExternalImports: ['@grpc/*', 'bullmq'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:transport', 'type:generated'] },
            { sourceTag: 'type:transport', onlyDependOnLibsWithTags: ['type:domain', 'type:generated'] },
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:domain', 'type:transport', 'type:generated', 'type:adapter', 'type:client'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:adapter', 'type:transport', 'type:generated', 'type:client'] },
            { sourceTag: 'scope:cli', notDependOnLibsWithTags: serviceOnly },
            { sourceTag: 'scope:daemon', onlyDependOnLibsWithTags: ['scope:shared', 'scope:daemon'] },
            { sourceTag: 'scope:image-store', onlyDependOnLibsWithTags: ['scope:shared', 'scope:image-store'] },
            { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:shared', 'scope:runtime'] },
            { sourceTag: 'scope:registry', onlyDependOnLibsWithTags: ['scope:shared', 'scope:registry'] },
          ],
        },
      ],
    },
  },
  {
    // Domain libs stay pure: no transports, queues or processes (bannedExternalImports does not
    // cover node built-ins).
    files: ['libs/{errors,layout,reference,signals,scoped-fs,keyed-mutex,oci-spec,daemon-core}/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['child_process', 'node:child_process', 'bullmq', 'ioredis', '@grpc/grpc-js'], patterns: ['@grpc/*'] },
      ],
    },
  },
  {
    // The CLI loads gRPC (with http2, tls and dns) only when a command reaches the daemon: the
    // generated code, which imports grpc-js, is reached through daemon-client.ts alone.
    files: ['libs/cli/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'libs/cli/src/__fixtures__/**', 'libs/cli/src/daemon-client.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: '@berth/proto', allowTypeImports: true, message: 'import its types only; values load gRPC (see daemon-client.ts)' }] },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
