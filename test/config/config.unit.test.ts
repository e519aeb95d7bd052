import { ConfigError, loadConfig } from '../../config/config';

describe('configuration', () => {
  it('runs the embedded system on one machine when nothing is set', () => {
    const config = loadConfig({});
    expect(config.eventStore).toMatchObject({ kind: 'sqlite', synchronous: 'FULL' });
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'cloud-office' });
    expect(config.api).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.nocPolicy.reminderDaysBeforeExpiry).toEqual([30, 7]);
  });

  it('reads NOC durations from the environment rather than from code', () => {
    const config = loadConfig({ NOC_MAX_MONTHS: '9', NOC_REMINDER_DAYS: '60,14,1', NOC_INFORMATION_DAYS: '21' });
    expect(config.nocPolicy).toMatchObject({ maxMonths: 9, reminderDaysBeforeExpiry: [60, 14, 1], informationResponseDays: 21 });
  });

  it('names the variable and the rule when a value is wrong', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ NOC_REMINDER_DAYS: '30;7' })).toThrow(/NOC_REMINDER_DAYS: a comma-separated list/);
    expect(() => loadConfig({ EVENTSTORE: 'eventstoredb' })).toThrow(/EVENTSTORE_URL: required/);
  });
});
