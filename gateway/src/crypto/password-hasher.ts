import { HttpStatus, Injectable } from '@nestjs/common';
import { BoundedQueue, QueueFullError } from '../common/bounded-queue';
import { RetryLaterError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { hashPassword, verifyPassword } from './password';

/**
 * Every password hash the gateway computes, through one bounded queue: PASSWORD_HASH_CONCURRENCY
 * at once (default 2, leaving the rest of libuv's 4 threads to file I/O and IPFS), at most
 * PASSWORD_HASH_QUEUE waiting; beyond that a sign-in or password change answers 503 AUTH_BUSY
 * with Retry-After instead of making everyone wait behind a flood.
 */
@Injectable()
export class PasswordHasher {
  private readonly queue: BoundedQueue;

  constructor(@InjectConfig() config: AppConfig) {
    this.queue = new BoundedQueue(config.limits.passwordHashConcurrency, config.limits.passwordHashQueue);
  }

  hash(password: string): Promise<string> {
    return this.queued(() => hashPassword(password));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.queued(() => verifyPassword(password, stored));
  }

  private async queued<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.queue.run(task);
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new RetryLaterError(HttpStatus.SERVICE_UNAVAILABLE, 'AUTH_BUSY', 'Too many passwords are being checked; try again in a moment', 1);
      }
      throw error;
    }
  }
}
