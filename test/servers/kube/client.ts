// Sealbridge's own KubeClient, wired to a test server through client-node's transport.
import { KubeClient } from '../../../src/kube/client.ts';
import { ClientNodeTransport } from '../../../src/kube/transport.ts';
import type { RequestObserver } from '../../../src/kube/api-caller.ts';
import type { KubeTestServer } from './server.ts';

export function kubeClientFor(server: KubeTestServer, observe?: RequestObserver): KubeClient {
  return new KubeClient({ transport: new ClientNodeTransport(server.kubeConfig()), observe });
}
