/**
 * What the per-service rule tests (__tests__/policy/<service>.test.ts) share: fixture values and the
 * harness that checks every rule of a service against a compliant fixture (it passes) and a
 * violating one (it fails at the expected address). A violating fixture is the compliant one with
 * one change, made with `addOverride` on the synthesized attributes, so each case shows exactly what
 * the rule catches.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformElement, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { Evaluation, evaluateStack } from '../../policy/engine';
import { RULE, RuleId, withId } from '../../policy/rule-ids';
import { RuleDefinition } from '../../policy/types';

export const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
export const policy = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
/** A value no resource of the fixture has: pointing an attribute at it detaches the resource. */
export const ELSEWHERE = 'defined-elsewhere';

/** The elements of a fixture, by the name its cases use. */
export type Parts = Record<string, TerraformElement>;
/** Creates a compliant fixture in `scope`. */
export type Fixture = (scope: Construct) => Parts;

/** One violation of one rule. */
export interface RuleCase {
  readonly rule: RuleId;
  /** Turns the compliant fixture into a violating one. */
  readonly violate: (parts: Parts) => void;
  /** Address of the element the rule must fail on. */
  readonly at: string;
}

/** Nothing is written here; the shared setup file removes it with the other cdktf.outdir.* folders. */
let outdir: string | undefined;
const fixtureOutdir = (): string => (outdir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf.outdir.')));

/**
 * Every evaluation of the fixture against `rules` (one service's), after `violate` changed it. Only
 * that service's rules run, so its test file depends on its own rule file and not on the registry.
 * The rules read `stack.toTerraform()`, as `cdktf synth` writes it (with its `//` metadata);
 * Testing.synthScope would also sort every key and print and parse the JSON: twice the time for the
 * same evaluations, and each rule test synthesizes a fixture per case.
 */
export function evaluate(rules: readonly RuleDefinition[], fixture: Fixture, violate?: (parts: Parts) => void): Evaluation[] {
  const stack = new TerraformStack(Testing.app({ outdir: fixtureOutdir() }), 'stack');
  const parts = fixture(stack);
  violate?.(parts);
  return [...evaluateStack('fixture', stack.toTerraform(), rules.map(withId)).evaluations];
}

/** The evaluations in which `rule` (one of `rules`) fails once `change` changed the fixture. */
const failuresOf = (rules: readonly RuleDefinition[], fixture: Fixture, rule: RuleId, change: (parts: Parts) => void): Evaluation[] =>
  evaluate(rules, fixture, change).filter((e) => e.rule.id === rule && e.outcome === 'fail');

/** Addresses where `rule` (one of `rules`) fails once `violate` changed the fixture. */
export const failingAddresses = (
  rules: readonly RuleDefinition[],
  fixture: Fixture,
  rule: RuleId,
  violate: (parts: Parts) => void,
): string[] => failuresOf(rules, fixture, rule, violate).map((e) => e.element.address);

/** `<address>: <detail>` of each place `rule` (one of `rules`) fails once `change` changed the fixture. */
export const findings = (
  rules: readonly RuleDefinition[],
  fixture: Fixture,
  rule: RuleId,
  change: (parts: Parts) => void,
): string[] => failuresOf(rules, fixture, rule, change).map((e) => `${e.element.address}: ${e.detail}`);

/**
 * The tests every service's rules get: one case per rule, the compliant fixture fails no rule, and
 * each rule passes on it and fails at the case's address once the case has violated it.
 */
export function testRules(domain: string, rules: readonly RuleDefinition[], fixture: Fixture, cases: readonly RuleCase[]): void {
  let compliant: Evaluation[] | undefined;
  const compliantEvaluations = (): Evaluation[] => (compliant ??= evaluate(rules, fixture));

  test(`every ${domain} rule has a case`, () => {
    expect(cases.map((c) => c.rule).sort()).toEqual(rules.map((r) => RULE[r.name]).sort());
  });

  test(`the ${domain} compliant fixture fails no rule`, () => {
    const failed = compliantEvaluations().filter((e) => e.outcome !== 'pass');
    expect(failed.map((e) => `${e.rule.id} ${e.element.address}: ${e.detail}`)).toEqual([]);
  });

  describe.each(cases)('$rule', ({ rule, violate, at }) => {
    test('passes on the compliant fixture', () => {
      const checked = compliantEvaluations().filter((e) => e.rule.id === rule);
      expect(checked.length).toBeGreaterThan(0);
      expect(checked.every((e) => e.outcome === 'pass')).toBe(true);
    });

    test(`fails at ${at} on the violating fixture`, () => {
      const failed = failuresOf(rules, fixture, rule, violate);
      expect(failed.map((e) => e.element.address)).toEqual([at]);
      expect(failed[0].detail).toBeTruthy();
    });
  });
}
