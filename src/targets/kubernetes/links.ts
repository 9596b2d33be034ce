import type { Links } from '../target.js';
import { derivedName } from './names.js';
import type { AppStatus } from './watch.js';

/**
 * ingressUrl fills the operator's `--ingress-url-format` template ({{$appName}}, {{$appNamespace}},
 * {{$appId}}) and prefixes http:// when it has no scheme (docs/protocols.md 2.4).
 */
export function ingressUrl(format: string, name: string, namespace: string, appId?: string): string {
  const url = format
    .replaceAll('{{$appName}}', name)
    .replaceAll('{{$appNamespace}}', namespace)
    .replaceAll('{{$appId}}', appId ?? '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

/**
 * buildLinks says where to look: the UI ingress address (from the status, else from kubernetes.uiIngressUrl),
 * otherwise the exact kubectl port-forward command for the operator's UI service.
 */
export function buildLinks(
  o: { namespace: string; name: string; context?: string; uiIngressUrl?: string },
  st?: AppStatus,
): Links {
  const di = st?.driverInfo ?? {};
  const links: Links = {};
  const ingress =
    di.webUIIngressAddress ||
    (o.uiIngressUrl ? ingressUrl(o.uiIngressUrl, o.name, o.namespace, st?.sparkApplicationId) : undefined);
  if (ingress) links.sparkUi = /^[a-z][a-z0-9+.-]*:\/\//i.test(ingress) ? ingress : `http://${ingress}`;
  const svc = di.webUIServiceName || derivedName(o.name, 'ui-svc');
  const ctx = o.context ? ` --context ${o.context}` : '';
  if (!links.sparkUi)
    links.portForward = `kubectl${ctx} -n ${o.namespace} port-forward svc/${svc} 4040:${di.webUIPort || 4040}`;
  return links;
}
