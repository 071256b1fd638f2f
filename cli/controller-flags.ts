// The flags every command that talks to the controller shares, as kubeseal names them.
import type { Command } from 'commander';

export interface ControllerFlags {
  readonly controllerName?: string;
  readonly controllerNamespace?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
}

export function addControllerFlags(cmd: Command): Command {
  return cmd
    .option(
      '--controller-name <name>',
      'name of the controller Service (default sealbridge-controller; env SEALBRIDGE_CONTROLLER_NAME)',
    )
    .option(
      '--controller-namespace <ns>',
      'namespace of the controller (default sealbridge; env SEALBRIDGE_CONTROLLER_NAMESPACE)',
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig to reach the API server (default: KUBECONFIG, ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context to use');
}
