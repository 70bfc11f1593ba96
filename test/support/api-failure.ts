import { HttpException } from '@nestjs/common';

/** What a call that must fail with an ApiError answered: status, stable code, message and details. */
export async function apiFailure(call: Promise<unknown>): Promise<{ status: number; code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse() as { code: string; message: string; details?: Record<string, unknown> };
    return { status: error.getStatus(), ...body };
  }
  throw new Error('expected the call to fail');
}
