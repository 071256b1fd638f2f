// deploy/ renders with `kubectl kustomize` (skipped, visibly, where kubectl is missing) and the
// rendered objects are what docs/deploy.md promises: a non-root, read-only, probed Deployment with
// resources; a Service whose first port is the API; RBAC without wildcards that covers the
// ExternalSecret and SopsSecret controllers too; a NetworkPolicy and a PodDisruptionBudget that
// select the pods; every namespaced object in the sealbridge namespace.
import { describe, expect, it } from 'vitest';
import { hasKubectl, render, type Obj, type Rule } from './render.ts';

describe.skipIf(!hasKubectl())('kubectl kustomize deploy', () => {
  const objects = render();
  const one = (kind: string, name?: string): Obj => {
    const found = objects.filter(
      (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
    );
    expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
    return found[0]!;
  };

  it('renders every piece, namespaced objects in sealbridge', () => {
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    const clusterScoped = new Set([
      'Namespace',
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
    ]);
    for (const o of objects) {
      if (!clusterScoped.has(o.kind))
        expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('sealbridge');
    }
    expect(
      objects
        .filter((o) => o.kind === 'CustomResourceDefinition')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([
      'clustersecretstores.sealbridge.io',
      'externalsecrets.sealbridge.io',
      'sealedsecrets.sealbridge.io',
      'secretstores.sealbridge.io',
      'sopssecrets.sealbridge.io',
    ]);
  });

  it('runs the controller non-root, read-only, with probes, resources and the downward API', () => {
    const d = one('Deployment');
    const pod = d['spec'].template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.args[0]).toBe('controller');
    expect(c.image).toMatch(/sealbridge:/);
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.resources.requests).toHaveProperty('memory');
    expect(c.resources.limits).toHaveProperty('memory');
    const env = Object.fromEntries(
      c.env.map((e: any) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]),
    );
    expect(env).toMatchObject({ POD_NAMESPACE: 'metadata.namespace', POD_NAME: 'metadata.name' });
    expect(pod.serviceAccountName).toBe(one('ServiceAccount').metadata.name);
    expect(d['spec'].replicas).toBeGreaterThanOrEqual(2);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(25);
  });

  it('selects the pods with the Service, NetworkPolicy and PodDisruptionBudget', () => {
    const labels = one('Deployment')['spec'].template.metadata.labels;
    const matches = (sel: Record<string, string>) =>
      Object.entries(sel).every(([k, v]) => labels[k] === v);
    const svc = one('Service');
    expect(matches(svc['spec'].selector)).toBe(true);
    expect(svc['spec'].ports[0]).toMatchObject({ name: 'http', port: 8080 });
    expect(matches(one('NetworkPolicy')['spec'].podSelector.matchLabels)).toBe(true);
    expect(matches(one('PodDisruptionBudget')['spec'].selector.matchLabels)).toBe(true);
    expect(one('PodDisruptionBudget')['spec'].minAvailable).toBe(1);
  });

  it('grants least privilege without wildcards, covering every Sealbridge controller', () => {
    const cluster = one('ClusterRole', 'sealbridge-controller')['rules'] as Rule[];
    const ns = one('Role', 'sealbridge-controller')['rules'] as Rule[];
    for (const r of [...cluster, ...ns]) {
      expect(r.verbs).not.toContain('*');
      expect(r.resources).not.toContain('*');
      expect(r.apiGroups).not.toContain('*');
    }
    const allows = (rules: Rule[], group: string, resource: string, verb: string) =>
      rules.some(
        (r) =>
          r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
      );
    for (const res of [
      'sealedsecrets',
      'sopssecrets',
      'externalsecrets',
      'secretstores',
      'clustersecretstores',
    ]) {
      for (const verb of ['get', 'list', 'watch'])
        expect(allows(cluster, 'sealbridge.io', res, verb), `${verb} ${res}`).toBe(true);
      expect(allows(cluster, 'sealbridge.io', `${res}/status`, 'update'), `${res}/status`).toBe(
        true,
      );
    }
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'delete'])
      expect(allows(cluster, '', 'secrets', verb)).toBe(true);
    expect(allows(cluster, '', 'events', 'create')).toBe(true);
    expect(allows(cluster, '', 'events', 'patch')).toBe(true);
    for (const verb of ['get', 'list', 'watch'])
      expect(allows(cluster, '', 'namespaces', verb)).toBe(true);
    expect(allows(cluster, '', 'serviceaccounts/token', 'create')).toBe(true);
    expect(allows(cluster, 'coordination.k8s.io', 'leases', 'update')).toBe(false);
    for (const verb of ['get', 'create', 'update'])
      expect(allows(ns, 'coordination.k8s.io', 'leases', verb)).toBe(true);
    const binding = one('ClusterRoleBinding');
    expect(binding['subjects']).toEqual([
      { kind: 'ServiceAccount', name: 'sealbridge-controller', namespace: 'sealbridge' },
    ]);
    const proxier = one('Role', 'sealbridge-service-proxier')['rules'] as Rule[];
    expect(proxier.every((r) => (r.resourceNames ?? []).length > 0)).toBe(true);
  });
});
