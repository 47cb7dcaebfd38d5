import { ConfigError, loadConfig } from '../stacks/config';

describe('warehouse configuration', () => {
  test('defaults: 8 RPU, no max, 24 RPU-hours a day that then stop queries (alarm at 80 %), the original names', () => {
    expect(loadConfig({}).warehouse).toEqual({
      baseCapacity: 8,
      maxCapacity: undefined,
      usageLimits: [{ name: 'budget', rpuHours: 24, breachAction: 'deactivate' }],
      usageAlarmPercent: 80,
      adminUsername: 'warehouse_admin',
      database: 'loans',
      schema: 'public',
      table: 'loan_remediation',
      model: 'predict_model',
      predictionFunction: 'ml_fn_prediction',
      modelMaxRuntimeSeconds: 5400,
      queryTimeoutSeconds: 3600,
    });
  });

  test('every value can be set', () => {
    expect(
      loadConfig({
        REDSHIFT_BASE_CAPACITY: '4',
        REDSHIFT_MAX_CAPACITY: '8',
        REDSHIFT_DAILY_RPU_HOURS: '100',
        REDSHIFT_USAGE_BREACH_ACTION: 'log',
        REDSHIFT_DAILY_RPU_HOURS_HARD_CAP: '150',
        REDSHIFT_USAGE_ALARM_PERCENT: '50',
        REDSHIFT_ADMIN_USERNAME: 'dw_owner',
        REDSHIFT_DATABASE: 'lending',
        REDSHIFT_SCHEMA: 'ml',
        TABLE_NAME: 'outcomes',
        MODEL_NAME: 'remediation_model',
        PREDICTION_FUNCTION: 'predict_remediation',
        MODEL_MAX_RUNTIME_SECONDS: '7200',
        QUERY_TIMEOUT_SECONDS: '60',
      }).warehouse,
    ).toEqual({
      baseCapacity: 4,
      maxCapacity: 8,
      usageLimits: [
        { name: 'budget', rpuHours: 100, breachAction: 'log' },
        { name: 'hard-cap', rpuHours: 150, breachAction: 'deactivate' },
      ],
      usageAlarmPercent: 50,
      adminUsername: 'dw_owner',
      database: 'lending',
      schema: 'ml',
      table: 'outcomes',
      model: 'remediation_model',
      predictionFunction: 'predict_remediation',
      modelMaxRuntimeSeconds: 7200,
      queryTimeoutSeconds: 60,
    });
  });

  test.each([
    ['REDSHIFT_BASE_CAPACITY', '12', 'RPUs: 4, or 8 to 512 in steps of 8'],
    ['REDSHIFT_BASE_CAPACITY', '0', 'RPUs: 4, or 8 to 512 in steps of 8'],
    ['REDSHIFT_BASE_CAPACITY', '520', 'RPUs: 4, or 8 to 512 in steps of 8'],
    ['REDSHIFT_BASE_CAPACITY', '8.0', 'RPUs: 4, or 8 to 512 in steps of 8'],
    ['REDSHIFT_BASE_CAPACITY', 'eight', 'RPUs: 4, or 8 to 512 in steps of 8'],
    ['REDSHIFT_MAX_CAPACITY', '4', 'a multiple of 8 from the base capacity (8) to 5632'],
    ['REDSHIFT_MAX_CAPACITY', '20', 'a multiple of 8 from the base capacity (8) to 5632'],
    ['REDSHIFT_MAX_CAPACITY', '5640', 'a multiple of 8 from the base capacity (8) to 5632'],
    ['REDSHIFT_DAILY_RPU_HOURS', '0', 'RPU-hours from 1 to 10000'],
    ['REDSHIFT_DAILY_RPU_HOURS', '-5', 'RPU-hours from 1 to 10000'],
    ['REDSHIFT_USAGE_BREACH_ACTION', 'stop', 'one of deactivate, emit-metric, log'],
    ['REDSHIFT_DAILY_RPU_HOURS_HARD_CAP', '30', 'unset while REDSHIFT_USAGE_BREACH_ACTION is deactivate (a workgroup has one deactivate limit)'],
    ['REDSHIFT_USAGE_ALARM_PERCENT', '100', 'percent from 1 to 99'],
    ['REDSHIFT_USAGE_ALARM_PERCENT', '0', 'percent from 1 to 99'],
    ['REDSHIFT_ADMIN_USERNAME', 'admin', "a name other than Redshift's defaults admin and awsuser"],
    ['REDSHIFT_ADMIN_USERNAME', 'awsuser', "a name other than Redshift's defaults admin and awsuser"],
    ['REDSHIFT_ADMIN_USERNAME', 'Admin-User', 'lowercase letters, digits and underscores'],
    ['REDSHIFT_DATABASE', '1loans', 'lowercase letters, digits and underscores'],
    ['REDSHIFT_SCHEMA', 'public;drop', 'lowercase letters, digits and underscores'],
    ['TABLE_NAME', 'public.loans', 'lowercase letters, digits and underscores'],
    ['TABLE_NAME', 'loans"--', 'lowercase letters, digits and underscores'],
    ['TABLE_NAME', 'a'.repeat(128), 'lowercase letters, digits and underscores'],
    ['MODEL_NAME', 'predict model', 'lowercase letters, digits and underscores'],
    ['PREDICTION_FUNCTION', "fn');--", 'lowercase letters, digits and underscores'],
    ['MODEL_MAX_RUNTIME_SECONDS', '600', 'seconds from 1800 (30 minutes) to 86400 (24 hours)'],
    ['MODEL_MAX_RUNTIME_SECONDS', '90000', 'seconds from 1800 (30 minutes) to 86400 (24 hours)'],
    ['QUERY_TIMEOUT_SECONDS', '30', 'seconds from 60 to 86399'],
    ['QUERY_TIMEOUT_SECONDS', '1h', 'seconds from 60 to 86399'],
  ])('%s=%s is refused in one line naming the variable, the value and what is allowed', (variable, value, allowed) => {
    const load = () => loadConfig({ [variable]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`${variable}=${JSON.stringify(value)} is invalid: expected`);
    expect(load).toThrow(allowed);
    try {
      load();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  test('prod reports at the budget and deactivates at a hard cap of twice the budget; every environment may choose', () => {
    expect(loadConfig({ ENVIRONMENT: 'prod' }).warehouse.usageLimits).toEqual([
      { name: 'budget', rpuHours: 24, breachAction: 'emit-metric' },
      { name: 'hard-cap', rpuHours: 48, breachAction: 'deactivate' },
    ]);
    expect(loadConfig({ ENVIRONMENT: 'prod', REDSHIFT_DAILY_RPU_HOURS: '6000' }).warehouse.usageLimits[1].rpuHours).toBe(10_000);
    expect(loadConfig({ ENVIRONMENT: 'prod', REDSHIFT_USAGE_BREACH_ACTION: 'deactivate' }).warehouse.usageLimits).toEqual([
      { name: 'budget', rpuHours: 24, breachAction: 'deactivate' },
    ]);
    expect(loadConfig({ REDSHIFT_USAGE_BREACH_ACTION: 'emit-metric' }).warehouse.usageLimits).toEqual([
      { name: 'budget', rpuHours: 24, breachAction: 'emit-metric' },
    ]);
  });

  test('a hard cap must be above the budget', () => {
    const allowed = 'unset, or RPU-hours above REDSHIFT_DAILY_RPU_HOURS (24) up to 10000';
    for (const value of ['24', '10001']) {
      expect(() => loadConfig({ ENVIRONMENT: 'prod', REDSHIFT_DAILY_RPU_HOURS_HARD_CAP: value })).toThrow(
        new ConfigError('REDSHIFT_DAILY_RPU_HOURS_HARD_CAP', value, allowed),
      );
    }
    expect(loadConfig({ ENVIRONMENT: 'prod', REDSHIFT_DAILY_RPU_HOURS_HARD_CAP: '25' }).warehouse.usageLimits[1].rpuHours).toBe(25);
  });

  test('the max capacity is checked against the configured base capacity', () => {
    expect(() => loadConfig({ REDSHIFT_BASE_CAPACITY: '64', REDSHIFT_MAX_CAPACITY: '32' })).toThrow(
      'a multiple of 8 from the base capacity (64) to 5632',
    );
  });
});
