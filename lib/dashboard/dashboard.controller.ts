/**
 * The dashboard's routes, under the path the module was given: the page, its files, its one
 * event stream, one execution (`api/dockets/:docket/execution?key=`), and the actions (POST
 * `…/cancel?key=`, `…/strike?task=`, `…/restore?task=`; refused unless allowed).
 */
import { BadRequestException, Controller, Get, NotFoundException, Header, Headers, HttpCode, Param, Post, Query, Req, Res, Sse, UseGuards, type MessageEvent, type Type } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { WireExecution } from './dashboard-wire';
import { DashboardAccessGuard } from './dashboard-access.guard';
import { DashboardService } from './dashboard.service';
import { dashboardHtml, dashboardScript, dashboardStyles } from './page/assets';

/** The path the browser asked for, without its query or trailing slash (a global prefix stays in it). */
function basePath(request: { originalUrl?: string; url?: string }, suffixLength: number): string {
  const path = (request.originalUrl ?? request.url ?? '').split('?')[0].replace(/\/+$/, '');
  return suffixLength > 0 ? path.slice(0, -suffixLength) : path;
}

/** A query parameter that must be there, once. */
function required(value: string | string[] | undefined, name: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRequestException(`The query parameter "${name}" is required, once.`);
  return value;
}

/** @internal A controller class mounted at `path`. */
export function dashboardController(path: string): Type<unknown> {
  @Controller(path)
  @UseGuards(DashboardAccessGuard)
  class DocketDashboardController {
    constructor(private readonly dashboard: DashboardService) {}

    @Get()
    @Header('content-type', 'text/html; charset=utf-8')
    @Header('cache-control', 'no-store')
    page(@Req() request: { originalUrl?: string; url?: string }): string {
      return dashboardHtml(basePath(request, 0));
    }

    @Get('assets/:file.js')
    script(@Param('file') file: string, @Res({ passthrough: true }) reply: { header(name: string, value: string): unknown }): string {
      const text = dashboardScript(`${file}.js`);
      if (text === undefined) throw new NotFoundException(`The dashboard has no script "${file}.js".`);
      reply.header('content-type', 'text/javascript; charset=utf-8');
      return text;
    }

    @Get('assets/dashboard.css')
    @Header('content-type', 'text/css; charset=utf-8')
    styles(): string {
      return dashboardStyles();
    }

    /** The page's one stream: a snapshot, then deltas; `Last-Event-ID` (or `?lastEventId=`) resumes. */
    @Sse('api/events')
    events(@Headers('last-event-id') lastEventId?: string, @Query('lastEventId') fromQuery?: string): Observable<MessageEvent> {
      return this.dashboard.feed.stream(lastEventId ?? fromQuery);
    }

    // Keys and task names go in the query: a path segment of '.' or '..' would be resolved away by the browser.
    @Get('api/dockets/:docket/execution')
    execution(@Param('docket') docket: string, @Query('key') key?: string): Promise<WireExecution> {
      return this.dashboard.execution(docket, required(key, 'key'));
    }

    @Post('api/dockets/:docket/cancel')
    @HttpCode(200)
    cancel(@Param('docket') docket: string, @Query('key') key?: string): Promise<{ outcome: string }> {
      return this.dashboard.cancel(docket, required(key, 'key'));
    }

    @Post('api/dockets/:docket/strike')
    @HttpCode(200)
    strike(@Param('docket') docket: string, @Query('task') task?: string): Promise<{ changed: boolean }> {
      return this.dashboard.strike(docket, required(task, 'task'), false);
    }

    @Post('api/dockets/:docket/restore')
    @HttpCode(200)
    restore(@Param('docket') docket: string, @Query('task') task?: string): Promise<{ changed: boolean }> {
      return this.dashboard.strike(docket, required(task, 'task'), true);
    }
  }
  return DocketDashboardController;
}
