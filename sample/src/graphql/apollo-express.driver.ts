/**
 * The Apollo driver, serving GraphQL over HTTP on Express without `@as-integrations/express5`.
 *
 * NOTE: @nestjs/apollo loads that package to mount Apollo Server on Express; this repo does not
 * depend on it, so this driver mounts the server itself through Apollo's integration API
 * (`executeHTTPGraphQLRequest`), as the package does. Everything else (schema, graphql-ws
 * subscriptions, error formatting) is ApolloDriver's own. With the package installed, use
 * ApolloDriver directly and delete this file.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type BaseContext, type ContextFunction } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable } from '@nestjs/common';

type Request = IncomingMessage & { body?: unknown; originalUrl?: string };
type Next = (error?: unknown) => void;

@Injectable()
export class ApolloExpressDriver extends ApolloDriver {
  protected override async registerExpress(options: ApolloDriverConfig): Promise<void> {
    const { httpAdapter } = this.httpAdapterHost;
    const path = options.path ?? '/graphql';
    const server = new ApolloServer<BaseContext>({
      ...(options as object),
      schema: options.schema!,
      plugins: [...(options.plugins ?? []), ApolloServerPluginDrainHttpServer({ httpServer: httpAdapter.getHttpServer() })],
    });
    await server.start();
    const context = options.context as ContextFunction<[{ req: Request; res: ServerResponse }], BaseContext> | undefined;
    httpAdapter.use(path, (req: Request, res: ServerResponse, next: Next) => {
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const url = new URL(req.originalUrl ?? req.url ?? '/', 'http://localhost');
      server
        .executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: req.body ?? {} },
          context: () => (context ? context({ req, res }) : Promise.resolve({})),
        })
        .then(async (response) => {
          for (const [key, value] of response.headers) res.setHeader(key, value);
          res.statusCode = response.status ?? 200;
          if (response.body.kind === 'complete') return void res.end(response.body.string);
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        })
        .catch(next);
    });
    this.apolloServer = server;
  }
}
