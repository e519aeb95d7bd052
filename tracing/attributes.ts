/**
 * The office's own span attributes. The correlation id is the process (workflow) id every event of a
 * case carries in its metadata: with it a trace can be found from an event, and the events from a trace.
 */
export const CORRELATION_ID = 'cloud_office.correlation_id';
export const STREAM = 'cloud_office.stream';
export const EVENT_TYPE = 'cloud_office.event_type';
export const EVENT_COUNT = 'cloud_office.event_count';
export const READ_MODEL = 'cloud_office.read_model';
export const EVENT_POSITION = 'cloud_office.event_position';
