import { loadConfig, ConfigError } from '../../config/config';
import { DEFAULT_SERVICE_LEVELS, addWorkingDays, isOverdue, serviceLevelsWith, taskDueAt } from '../../domain/shared/service-levels';

/** 2026-11-06 is a Friday. */
const FRIDAY = '2026-11-06T10:00:00.000Z';

describe('working days', () => {
  it('skip the weekend: one working day after a Friday is the Monday, same time', () => {
    expect(addWorkingDays(FRIDAY, 1)).toBe('2026-11-09T10:00:00.000Z');
  });

  it('count five working days as one calendar week', () => {
    expect(addWorkingDays('2026-11-02T08:30:00.000Z', 5)).toBe('2026-11-09T08:30:00.000Z');
  });

  it('start counting on a Monday from a Saturday', () => {
    expect(addWorkingDays('2026-11-07T12:00:00.000Z', 1)).toBe('2026-11-09T12:00:00.000Z');
  });
});

describe('a task’s due date', () => {
  const levels = serviceLevelsWith({ 'noc.review': 3 });

  it('given a task with a service level and no case deadline, when it entered the queue on a Friday, then it is due that many working days later', () => {
    expect(taskDueAt({ task: 'noc.review', enteredAt: FRIDAY, caseDueAt: null }, levels)).toBe('2026-11-11T10:00:00.000Z');
  });

  it('given a case deadline earlier than the service level, then the case deadline is the due date', () => {
    expect(taskDueAt({ task: 'noc.review', enteredAt: FRIDAY, caseDueAt: '2026-11-08T00:00:00.000Z' }, levels)).toBe('2026-11-08T00:00:00.000Z');
  });

  it('given a case deadline later than the service level, then the service level sets the due date', () => {
    expect(taskDueAt({ task: 'change.decide-change', enteredAt: FRIDAY, caseDueAt: '2027-01-01T00:00:00.000Z' }, levels)).toBe(
      addWorkingDays(FRIDAY, DEFAULT_SERVICE_LEVELS['change.decide-change']),
    );
  });

  it('given a party’s own task (no service level), then only its case deadline counts', () => {
    expect(taskDueAt({ task: 'noc.answer-information', enteredAt: FRIDAY, caseDueAt: '2026-12-06T10:00:00.000Z' }, levels)).toBe('2026-12-06T10:00:00.000Z');
    expect(taskDueAt({ task: 'noc.answer-information', enteredAt: FRIDAY, caseDueAt: null }, levels)).toBeNull();
  });

  it('given a task whose start is unknown, then only its case deadline counts', () => {
    expect(taskDueAt({ task: 'framework.decide-framework', enteredAt: null, caseDueAt: '2027-01-01T00:00:00.000Z' }, levels)).toBe('2027-01-01T00:00:00.000Z');
  });

  it('is overdue once its due date has passed, and never without one', () => {
    expect(isOverdue('2026-11-09T10:00:00.000Z', '2026-11-09T10:00:00.001Z')).toBe(true);
    expect(isOverdue('2026-11-09T10:00:00.000Z', '2026-11-09T10:00:00.000Z')).toBe(false);
    expect(isOverdue(null, '2030-01-01T00:00:00.000Z')).toBe(false);
  });
});

describe('SERVICE_LEVELS', () => {
  it('overrides the tasks it names and keeps the defaults of the rest', () => {
    const config = loadConfig({ SERVICE_LEVELS: '{"noc.review":2,"accreditation.decide":20}' });
    expect(config.serviceLevels['noc.review']).toBe(2);
    expect(config.serviceLevels['accreditation.decide']).toBe(20);
    expect(config.serviceLevels['noc.decide']).toBe(DEFAULT_SERVICE_LEVELS['noc.decide']);
    expect(loadConfig({}).serviceLevels).toEqual(DEFAULT_SERVICE_LEVELS);
  });

  it('is refused when it is not JSON, names an unknown task or gives no whole number of days', () => {
    expect(() => loadConfig({ SERVICE_LEVELS: 'noc.review=2' })).toThrow(/SERVICE_LEVELS: a JSON object of working days/);
    expect(() => loadConfig({ SERVICE_LEVELS: '{"noc.reveiw":2}' })).toThrow(ConfigError);
    expect(() => loadConfig({ SERVICE_LEVELS: '{"noc.review":0}' })).toThrow(/SERVICE_LEVELS/);
  });
});
