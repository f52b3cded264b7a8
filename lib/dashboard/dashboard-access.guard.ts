/**
 * Every request of the dashboard passes here: actions are refused when read-only or without the
 * dashboard's header (CSRF), then the app's own guard, if one was given, decides.
 */
import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import { ACTION_HEADER, DASHBOARD_OPTIONS, type ResolvedDashboardOptions } from './dashboard.options';

/** @internal The guard of the dashboard's routes. */
@Injectable()
export class DashboardAccessGuard implements CanActivate {
  private userGuard?: CanActivate;

  constructor(
    @Inject(DASHBOARD_OPTIONS) private readonly options: ResolvedDashboardOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ method?: string; headers?: Record<string, string | string[] | undefined> }>();
    if (request.method === 'POST') {
      if (this.options.readOnly) {
        throw new ForbiddenException('The dashboard is read-only: mount it with DocketDashboardModule.forRoot({ readOnly: false, guard }) to allow cancel, strike and restore.');
      }
      if (request.headers?.[ACTION_HEADER] !== '1') {
        throw new ForbiddenException(`A dashboard action needs the header "${ACTION_HEADER}: 1" (the page sends it; a cross-site form cannot).`);
      }
    }
    const guard = await this.guard();
    if (!guard) return true;
    const allowed = guard.canActivate(context);
    return Boolean(isObservable(allowed) ? await lastValueFrom(allowed, { defaultValue: false }) : await allowed);
  }

  private async guard(): Promise<CanActivate | undefined> {
    const given = this.options.guard;
    if (!given || typeof given !== 'function') return given;
    this.userGuard ??= await this.moduleRef.create(given);
    return this.userGuard;
  }
}
