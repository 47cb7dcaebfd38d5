import { Testing } from 'cdktf';
// Brings the type declarations of cdktf's jest matchers (toHaveResourceWithProperties, ...).
import 'cdktf/lib/testing/adapters/jest';

// Imported by the test files that use cdktf's matchers, not set up for every file: loading cdktf costs
// about 0.1 s per test file, which the Lambda and config suites (and every mutation run) do not need.
Testing.setupJest();
