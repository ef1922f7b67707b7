// Dead-letter reading and replay live in the store (everything that touches Redis does); kept
// importable from here for the consumer's callers.
export { listDeadLetters, replayDeadLetters, type DeadLetter } from '@ddup/store';
