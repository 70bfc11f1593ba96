import { Foundation1764072000000 } from './1764072000000-foundation';

/** Every migration, oldest first. Listed explicitly so source (tests) and dist (start) agree. */
export const MIGRATIONS = [Foundation1764072000000];
