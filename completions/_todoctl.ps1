
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'todoctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'todoctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'todoctl' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the chart as a new release.')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Upgrade a release to new values or a new chart.')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply a plan saved by `todoctl diff --out`: exactly the objects and values that were reviewed, as `todoctl upgrade` (or `upgrade --install`) would apply and record them.')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll a release back to an earlier revision.')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the revisions of a release: when, status, chart, app version, description.')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a release: its revision and status, the health of every object it owns (ready replicas, pod problems and recent warning events), and its notes.')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Delete every object of a release, in reverse dependency order, and wait until they are gone.')
            [CompletionResult]::new('un', 'un', [CompletionResultType]::ParameterValue, 'Delete every object of a release, in reverse dependency order, and wait until they are gone.')
            [CompletionResult]::new('del', 'del', [CompletionResultType]::ParameterValue, 'Delete every object of a release, in reverse dependency order, and wait until they are gone.')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete every object of a release, in reverse dependency order, and wait until they are gone.')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List releases: name, namespace, revision, status, chart, updated.')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List releases: name, namespace, revision, status, chart, updated.')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Render the chart locally and print the objects as YAML, in the order they would be applied.')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check the chart and values: schema, templates, object validity, and best practices.')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what `todoctl upgrade` with the same flags would change in the cluster.')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show what a release revision recorded')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Bring a release another tool deployed under todoctl, without replacing a pod')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Remove the lock of a release whose operation you know is gone.')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a chart''s files: its default values, values schema, metadata or README')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the tests of a release against its deployed revision.')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Show todoctl''s version, the built-in chart''s name and version, and the version of the API server the kubeconfig points at.')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script.')
            [CompletionResult]::new('generate-man', 'generate-man', [CompletionResultType]::ParameterValue, 'Write the manual pages of todoctl and each of its commands into DIR.')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;install' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Set a value, always as a string')
            [CompletionResult]::new('--set-json', '--set-json', [CompletionResultType]::ParameterName, 'Set a value from JSON: `path={"a":1}`')
            [CompletionResult]::new('--set-file', '--set-file', [CompletionResultType]::ParameterName, 'Set a value to a file''s contents: `path=FILE`')
            [CompletionResult]::new('--set-env', '--set-env', [CompletionResultType]::ParameterName, 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Ask the API server to validate and dry-run every change; change and record nothing')
            [CompletionResult]::new('--history-max', '--history-max', [CompletionResultType]::ParameterName, 'Keep at most this many revision records (0: keep all)')
            [CompletionResult]::new('--post-renderer', '--post-renderer', [CompletionResultType]::ParameterName, 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)')
            [CompletionResult]::new('--post-renderer-args', '--post-renderer-args', [CompletionResultType]::ParameterName, 'An argument for the post-renderer (repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (created when missing)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (created when missing)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision (or uninstall a failed install)')
            [CompletionResult]::new('--rollback-on-failure', '--rollback-on-failure', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision (or uninstall a failed install)')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields another field manager owns instead of failing on the conflict')
            [CompletionResult]::new('--adopt', '--adopt', [CompletionResultType]::ParameterName, 'Take over existing objects that belong to no release or to another one')
            [CompletionResult]::new('--take-ownership', '--take-ownership', [CompletionResultType]::ParameterName, 'Take over existing objects that belong to no release or to another one')
            [CompletionResult]::new('--prune-pvcs', '--prune-pvcs', [CompletionResultType]::ParameterName, 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)')
            [CompletionResult]::new('--prune-crds', '--prune-crds', [CompletionResultType]::ParameterName, 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;upgrade' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Set a value, always as a string')
            [CompletionResult]::new('--set-json', '--set-json', [CompletionResultType]::ParameterName, 'Set a value from JSON: `path={"a":1}`')
            [CompletionResult]::new('--set-file', '--set-file', [CompletionResultType]::ParameterName, 'Set a value to a file''s contents: `path=FILE`')
            [CompletionResult]::new('--set-env', '--set-env', [CompletionResultType]::ParameterName, 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Ask the API server to validate and dry-run every change; change and record nothing')
            [CompletionResult]::new('--history-max', '--history-max', [CompletionResultType]::ParameterName, 'Keep at most this many revision records (0: keep all)')
            [CompletionResult]::new('--post-renderer', '--post-renderer', [CompletionResultType]::ParameterName, 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)')
            [CompletionResult]::new('--post-renderer-args', '--post-renderer-args', [CompletionResultType]::ParameterName, 'An argument for the post-renderer (repeatable)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (created when missing only by --install, when it installs)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (created when missing only by --install, when it installs)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision (or uninstall a failed install)')
            [CompletionResult]::new('--rollback-on-failure', '--rollback-on-failure', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision (or uninstall a failed install)')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields another field manager owns instead of failing on the conflict')
            [CompletionResult]::new('--adopt', '--adopt', [CompletionResultType]::ParameterName, 'Take over existing objects that belong to no release or to another one')
            [CompletionResult]::new('--take-ownership', '--take-ownership', [CompletionResultType]::ParameterName, 'Take over existing objects that belong to no release or to another one')
            [CompletionResult]::new('--prune-pvcs', '--prune-pvcs', [CompletionResultType]::ParameterName, 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)')
            [CompletionResult]::new('--prune-crds', '--prune-crds', [CompletionResultType]::ParameterName, 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Install the release if it does not exist yet')
            [CompletionResult]::new('--install', '--install', [CompletionResultType]::ParameterName, 'Install the release if it does not exist yet')
            [CompletionResult]::new('--reset-values', '--reset-values', [CompletionResultType]::ParameterName, 'Forget the previous revision''s values: start from the chart defaults')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;apply' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The release the plan must be for [default: the plan''s]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'The release the plan must be for [default: the plan''s]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace the plan must be for [default: the plan''s]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace the plan must be for [default: the plan''s]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'Refuse a plan older than this, e.g. 1h, 30m (0: no limit)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision (or uninstall a failed install)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;rollback' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Ask the API server to validate and dry-run every change; change and record nothing')
            [CompletionResult]::new('--history-max', '--history-max', [CompletionResultType]::ParameterName, 'Keep at most this many revision records (0: keep all)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision (or uninstall a failed install)')
            [CompletionResult]::new('--rollback-on-failure', '--rollback-on-failure', [CompletionResultType]::ParameterName, 'On failure, roll back to the previous revision (or uninstall a failed install)')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields another field manager owns instead of failing on the conflict')
            [CompletionResult]::new('--adopt', '--adopt', [CompletionResultType]::ParameterName, 'Take over existing objects that belong to no release or to another one')
            [CompletionResult]::new('--take-ownership', '--take-ownership', [CompletionResultType]::ParameterName, 'Take over existing objects that belong to no release or to another one')
            [CompletionResult]::new('--prune-pvcs', '--prune-pvcs', [CompletionResultType]::ParameterName, 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)')
            [CompletionResult]::new('--prune-crds', '--prune-crds', [CompletionResultType]::ParameterName, 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;history' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Show at most this many of the newest revisions')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;status' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Show this revision''s record instead of the latest')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;uninstall' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted, delete nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--keep-history', '--keep-history', [CompletionResultType]::ParameterName, 'Keep the release records (history) after deleting the objects')
            [CompletionResult]::new('--delete-crds', '--delete-crds', [CompletionResultType]::ParameterName, 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster')
            [CompletionResult]::new('--delete-pvcs', '--delete-pvcs', [CompletionResultType]::ParameterName, 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;un' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted, delete nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--keep-history', '--keep-history', [CompletionResultType]::ParameterName, 'Keep the release records (history) after deleting the objects')
            [CompletionResult]::new('--delete-crds', '--delete-crds', [CompletionResultType]::ParameterName, 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster')
            [CompletionResult]::new('--delete-pvcs', '--delete-pvcs', [CompletionResultType]::ParameterName, 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;del' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted, delete nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--keep-history', '--keep-history', [CompletionResultType]::ParameterName, 'Keep the release records (history) after deleting the objects')
            [CompletionResult]::new('--delete-crds', '--delete-crds', [CompletionResultType]::ParameterName, 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster')
            [CompletionResult]::new('--delete-pvcs', '--delete-pvcs', [CompletionResultType]::ParameterName, 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;delete' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for readiness before failing, e.g. 90s, 5m')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted, delete nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects (never created: a missing one means the release is not found)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as everything is applied; do not wait for readiness')
            [CompletionResult]::new('--keep-history', '--keep-history', [CompletionResultType]::ParameterName, 'Keep the release records (history) after deleting the objects')
            [CompletionResult]::new('--delete-crds', '--delete-crds', [CompletionResultType]::ParameterName, 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster')
            [CompletionResult]::new('--delete-pvcs', '--delete-pvcs', [CompletionResultType]::ParameterName, 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;list' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to list')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to list')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Show only releases whose name matches this regular expression')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Show only releases whose name matches this regular expression')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Show at most this many releases (0: all)')
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Show at most this many releases (0: all)')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Skip this many releases first')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List releases in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List releases in every namespace')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Show releases of every status (by default: deployed and failed)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show releases of every status (by default: deployed and failed)')
            [CompletionResult]::new('--deployed', '--deployed', [CompletionResultType]::ParameterName, 'Show deployed releases')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Show failed releases')
            [CompletionResult]::new('--pending', '--pending', [CompletionResultType]::ParameterName, 'Show releases an operation is installing, upgrading or rolling back')
            [CompletionResult]::new('--uninstalled', '--uninstalled', [CompletionResultType]::ParameterName, 'Show releases uninstalled with --keep-history')
            [CompletionResult]::new('--uninstalling', '--uninstalling', [CompletionResultType]::ParameterName, 'Show releases being uninstalled')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print release names only, one per line')
            [CompletionResult]::new('--short', '--short', [CompletionResultType]::ParameterName, 'Print release names only, one per line')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Sort by last update, oldest first (default: by namespace and name)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'Sort by last update, oldest first (default: by namespace and name)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Reverse the order')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse the order')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;ls' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to list')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to list')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Show only releases whose name matches this regular expression')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Show only releases whose name matches this regular expression')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Show at most this many releases (0: all)')
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Show at most this many releases (0: all)')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Skip this many releases first')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List releases in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List releases in every namespace')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Show releases of every status (by default: deployed and failed)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show releases of every status (by default: deployed and failed)')
            [CompletionResult]::new('--deployed', '--deployed', [CompletionResultType]::ParameterName, 'Show deployed releases')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Show failed releases')
            [CompletionResult]::new('--pending', '--pending', [CompletionResultType]::ParameterName, 'Show releases an operation is installing, upgrading or rolling back')
            [CompletionResult]::new('--uninstalled', '--uninstalled', [CompletionResultType]::ParameterName, 'Show releases uninstalled with --keep-history')
            [CompletionResult]::new('--uninstalling', '--uninstalling', [CompletionResultType]::ParameterName, 'Show releases being uninstalled')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print release names only, one per line')
            [CompletionResult]::new('--short', '--short', [CompletionResultType]::ParameterName, 'Print release names only, one per line')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Sort by last update, oldest first (default: by namespace and name)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'Sort by last update, oldest first (default: by namespace and name)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Reverse the order')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse the order')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;template' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Set a value, always as a string')
            [CompletionResult]::new('--set-json', '--set-json', [CompletionResultType]::ParameterName, 'Set a value from JSON: `path={"a":1}`')
            [CompletionResult]::new('--set-file', '--set-file', [CompletionResultType]::ParameterName, 'Set a value to a file''s contents: `path=FILE`')
            [CompletionResult]::new('--set-env', '--set-env', [CompletionResultType]::ParameterName, 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line')
            [CompletionResult]::new('--kube-version', '--kube-version', [CompletionResultType]::ParameterName, 'Kubernetes version to assume when rendering without a cluster, e.g. v1.35.0')
            [CompletionResult]::new('--api-versions', '--api-versions', [CompletionResultType]::ParameterName, 'An API version the target serves, e.g. monitoring.coreos.com/v1 (repeatable)')
            [CompletionResult]::new('--post-renderer', '--post-renderer', [CompletionResultType]::ParameterName, 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)')
            [CompletionResult]::new('--post-renderer-args', '--post-renderer-args', [CompletionResultType]::ParameterName, 'An argument for the post-renderer (repeatable)')
            [CompletionResult]::new('--show-only', '--show-only', [CompletionResultType]::ParameterName, 'Print only the objects of this template, e.g. templates/backend.yaml (repeatable)')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Write one file per template under DIR instead of printing')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--include-tests', '--include-tests', [CompletionResultType]::ParameterName, 'Also print the test objects `todoctl test` runs (left out by default, as install leaves them out)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;lint' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Set a value, always as a string')
            [CompletionResult]::new('--set-json', '--set-json', [CompletionResultType]::ParameterName, 'Set a value from JSON: `path={"a":1}`')
            [CompletionResult]::new('--set-file', '--set-file', [CompletionResultType]::ParameterName, 'Set a value to a file''s contents: `path=FILE`')
            [CompletionResult]::new('--set-env', '--set-env', [CompletionResultType]::ParameterName, 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line')
            [CompletionResult]::new('--kube-version', '--kube-version', [CompletionResultType]::ParameterName, 'Kubernetes version to assume when rendering without a cluster, e.g. v1.35.0')
            [CompletionResult]::new('--api-versions', '--api-versions', [CompletionResultType]::ParameterName, 'An API version the target serves, e.g. monitoring.coreos.com/v1 (repeatable)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat warnings as failures')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;diff' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Set a value, always as a string')
            [CompletionResult]::new('--set-json', '--set-json', [CompletionResultType]::ParameterName, 'Set a value from JSON: `path={"a":1}`')
            [CompletionResult]::new('--set-file', '--set-file', [CompletionResultType]::ParameterName, 'Set a value to a file''s contents: `path=FILE`')
            [CompletionResult]::new('--set-env', '--set-env', [CompletionResultType]::ParameterName, 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line')
            [CompletionResult]::new('--post-renderer', '--post-renderer', [CompletionResultType]::ParameterName, 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)')
            [CompletionResult]::new('--post-renderer-args', '--post-renderer-args', [CompletionResultType]::ParameterName, 'An argument for the post-renderer (repeatable)')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Compare two stored revisions instead (give it twice); takes no chart or values flags')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Also save the change as a plan for `todoctl apply PLAN` (mode 0600; it holds secret values unredacted)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (table is a unified diff, coloured on a terminal)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (table is a unified diff, coloured on a terminal)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Accepted for the same command line as upgrade, and ignored: diff changes nothing')
            [CompletionResult]::new('--history-max', '--history-max', [CompletionResultType]::ParameterName, 'Accepted for the same command line as upgrade, and ignored: diff changes nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Accepted for the same command line as upgrade; diff is always a dry run')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--prune-pvcs', '--prune-pvcs', [CompletionResultType]::ParameterName, 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)')
            [CompletionResult]::new('--prune-crds', '--prune-crds', [CompletionResultType]::ParameterName, 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Show the install of a release that does not exist yet, as upgrade --install would do it')
            [CompletionResult]::new('--install', '--install', [CompletionResultType]::ParameterName, 'Show the install of a release that does not exist yet, as upgrade --install would do it')
            [CompletionResult]::new('--reset-values', '--reset-values', [CompletionResultType]::ParameterName, 'Forget the previous revision''s values: start from the chart defaults')
            [CompletionResult]::new('--detailed-exitcode', '--detailed-exitcode', [CompletionResultType]::ParameterName, 'Exit 2 when there are changes, 0 when there are none, 1 on error')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show secret values in the diff')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Accepted for the same command line as upgrade, and ignored: diff changes nothing')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'Accepted for the same command line as upgrade, and ignored: diff changes nothing')
            [CompletionResult]::new('--rollback-on-failure', '--rollback-on-failure', [CompletionResultType]::ParameterName, 'Accepted for the same command line as upgrade, and ignored: diff changes nothing')
            [CompletionResult]::new('--adopt', '--adopt', [CompletionResultType]::ParameterName, 'Without --out, accepted for the same command line as upgrade (diff shows objects of another release as they would be after --adopt); with --out, the plan takes them over only with it, and diff refuses them without it')
            [CompletionResult]::new('--take-ownership', '--take-ownership', [CompletionResultType]::ParameterName, 'Without --out, accepted for the same command line as upgrade (diff shows objects of another release as they would be after --adopt); with --out, the plan takes them over only with it, and diff refuses them without it')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Show what a forced apply would do to fields another field manager owns, instead of failing on them')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;get' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('values', 'values', [CompletionResultType]::ParameterValue, 'The values the user supplied (--all: merged with the chart defaults)')
            [CompletionResult]::new('manifest', 'manifest', [CompletionResultType]::ParameterValue, 'The rendered objects that were applied (Secret values redacted unless --show-secrets)')
            [CompletionResult]::new('notes', 'notes', [CompletionResultType]::ParameterValue, 'The notes shown after install or upgrade')
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'The revision''s facts: release, chart, versions, namespace, revision, status, deploy time')
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;get;values' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'The revision (default: the latest)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (table prints YAML)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (table prints YAML)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'All computed values, not only those the user supplied')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'All computed values, not only those the user supplied')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show secret values instead of <redacted>')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;get;manifest' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'The revision (default: the latest)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show Secret values instead of <redacted>')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;get;notes' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'The revision (default: the latest)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;get;metadata' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'The revision (default: the latest)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;get;all' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'The revision (default: the latest)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (table prints sections of text and YAML, as Helm does)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (table prints sections of text and YAML, as Helm does)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show secret values and Secret data instead of <redacted>')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;get;help' {
            [CompletionResult]::new('values', 'values', [CompletionResultType]::ParameterValue, 'The values the user supplied (--all: merged with the chart defaults)')
            [CompletionResult]::new('manifest', 'manifest', [CompletionResultType]::ParameterValue, 'The rendered objects that were applied (Secret values redacted unless --show-secrets)')
            [CompletionResult]::new('notes', 'notes', [CompletionResultType]::ParameterValue, 'The notes shown after install or upgrade')
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'The revision''s facts: release, chart, versions, namespace, revision, status, deploy time')
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;get;help;values' {
            break
        }
        'todoctl;get;help;manifest' {
            break
        }
        'todoctl;get;help;notes' {
            break
        }
        'todoctl;get;help;metadata' {
            break
        }
        'todoctl;get;help;all' {
            break
        }
        'todoctl;get;help;help' {
            break
        }
        'todoctl;import' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('helm', 'helm', [CompletionResultType]::ParameterValue, 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;import;helm' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Name of the todoctl release to create [default: HELM_RELEASE]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Name of the todoctl release to create [default: HELM_RELEASE]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the Helm release; the todoctl release goes in the same one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the Helm release; the todoctl release goes in the same one')
            [CompletionResult]::new('--helm-driver', '--helm-driver', [CompletionResultType]::ParameterName, 'Where Helm keeps its records (Helm''s --helm-driver)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'A values file (YAML); repeat to layer several, later files win')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Set a value, always as a string')
            [CompletionResult]::new('--set-json', '--set-json', [CompletionResultType]::ParameterName, 'Set a value from JSON: `path={"a":1}`')
            [CompletionResult]::new('--set-file', '--set-file', [CompletionResultType]::ParameterName, 'Set a value to a file''s contents: `path=FILE`')
            [CompletionResult]::new('--set-env', '--set-env', [CompletionResultType]::ParameterName, 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be imported and what the first upgrade would change; change nothing')
            [CompletionResult]::new('--backup-dir', '--backup-dir', [CompletionResultType]::ParameterName, 'Directory for the backup of Helm''s records (a file readable only by you: they hold the release''s values)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of the report')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the report')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--delete-helm-records', '--delete-helm-records', [CompletionResultType]::ParameterName, 'Delete Helm''s records after the import instead of labelling them (a backup is written first either way)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;import;help' {
            [CompletionResult]::new('helm', 'helm', [CompletionResultType]::ParameterValue, 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;import;help;helm' {
            break
        }
        'todoctl;import;help;help' {
            break
        }
        'todoctl;unlock' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;show' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('values', 'values', [CompletionResultType]::ParameterValue, 'The chart''s values.yaml, exactly as written: every value with its default and comment')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'The chart''s values schema (values.schema.json), which values are checked against')
            [CompletionResult]::new('chart', 'chart', [CompletionResultType]::ParameterValue, 'The chart''s Chart.yaml: name, version, app version, description')
            [CompletionResult]::new('readme', 'readme', [CompletionResultType]::ParameterValue, 'The chart''s README: what it deploys, its main values and overlays')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;show;values' {
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;show;schema' {
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;show;chart' {
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;show;readme' {
            [CompletionResult]::new('--chart', '--chart', [CompletionResultType]::ParameterName, 'Chart directory (default: the todo-app chart built into todoctl)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;show;plan' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (table is a unified diff, coloured on a terminal)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (table is a unified diff, coloured on a terminal)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show secret values in the diff')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;show;help' {
            [CompletionResult]::new('values', 'values', [CompletionResultType]::ParameterValue, 'The chart''s values.yaml, exactly as written: every value with its default and comment')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'The chart''s values schema (values.schema.json), which values are checked against')
            [CompletionResult]::new('chart', 'chart', [CompletionResultType]::ParameterValue, 'The chart''s Chart.yaml: name, version, app version, description')
            [CompletionResult]::new('readme', 'readme', [CompletionResultType]::ParameterValue, 'The chart''s README: what it deploys, its main values and overlays')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;show;help;values' {
            break
        }
        'todoctl;show;help;schema' {
            break
        }
        'todoctl;show;help;chart' {
            break
        }
        'todoctl;show;help;readme' {
            break
        }
        'todoctl;show;help;plan' {
            break
        }
        'todoctl;show;help;help' {
            break
        }
        'todoctl;test' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Release name [default: todo-app]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the release and its objects')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long all tests together may run, e.g. 90s, 5m')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--logs', '--logs', [CompletionResultType]::ParameterName, 'Print the logs of the test pods')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Leave the test objects in the cluster afterwards, for a look (the next run replaces them)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;version' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'Do not contact the API server')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;generate-man' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars, even on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is happening (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'todoctl;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the chart as a new release.')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Upgrade a release to new values or a new chart.')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply a plan saved by `todoctl diff --out`: exactly the objects and values that were reviewed, as `todoctl upgrade` (or `upgrade --install`) would apply and record them.')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll a release back to an earlier revision.')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the revisions of a release: when, status, chart, app version, description.')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a release: its revision and status, the health of every object it owns (ready replicas, pod problems and recent warning events), and its notes.')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Delete every object of a release, in reverse dependency order, and wait until they are gone.')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List releases: name, namespace, revision, status, chart, updated.')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Render the chart locally and print the objects as YAML, in the order they would be applied.')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check the chart and values: schema, templates, object validity, and best practices.')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what `todoctl upgrade` with the same flags would change in the cluster.')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show what a release revision recorded')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Bring a release another tool deployed under todoctl, without replacing a pod')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Remove the lock of a release whose operation you know is gone.')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a chart''s files: its default values, values schema, metadata or README')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Run the tests of a release against its deployed revision.')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Show todoctl''s version, the built-in chart''s name and version, and the version of the API server the kubeconfig points at.')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script.')
            [CompletionResult]::new('generate-man', 'generate-man', [CompletionResultType]::ParameterValue, 'Write the manual pages of todoctl and each of its commands into DIR.')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'todoctl;help;install' {
            break
        }
        'todoctl;help;upgrade' {
            break
        }
        'todoctl;help;apply' {
            break
        }
        'todoctl;help;rollback' {
            break
        }
        'todoctl;help;history' {
            break
        }
        'todoctl;help;status' {
            break
        }
        'todoctl;help;uninstall' {
            break
        }
        'todoctl;help;list' {
            break
        }
        'todoctl;help;template' {
            break
        }
        'todoctl;help;lint' {
            break
        }
        'todoctl;help;diff' {
            break
        }
        'todoctl;help;get' {
            [CompletionResult]::new('values', 'values', [CompletionResultType]::ParameterValue, 'The values the user supplied (--all: merged with the chart defaults)')
            [CompletionResult]::new('manifest', 'manifest', [CompletionResultType]::ParameterValue, 'The rendered objects that were applied (Secret values redacted unless --show-secrets)')
            [CompletionResult]::new('notes', 'notes', [CompletionResultType]::ParameterValue, 'The notes shown after install or upgrade')
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'The revision''s facts: release, chart, versions, namespace, revision, status, deploy time')
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)')
            break
        }
        'todoctl;help;get;values' {
            break
        }
        'todoctl;help;get;manifest' {
            break
        }
        'todoctl;help;get;notes' {
            break
        }
        'todoctl;help;get;metadata' {
            break
        }
        'todoctl;help;get;all' {
            break
        }
        'todoctl;help;import' {
            [CompletionResult]::new('helm', 'helm', [CompletionResultType]::ParameterValue, 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.')
            break
        }
        'todoctl;help;import;helm' {
            break
        }
        'todoctl;help;unlock' {
            break
        }
        'todoctl;help;show' {
            [CompletionResult]::new('values', 'values', [CompletionResultType]::ParameterValue, 'The chart''s values.yaml, exactly as written: every value with its default and comment')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'The chart''s values schema (values.schema.json), which values are checked against')
            [CompletionResult]::new('chart', 'chart', [CompletionResultType]::ParameterValue, 'The chart''s Chart.yaml: name, version, app version, description')
            [CompletionResult]::new('readme', 'readme', [CompletionResultType]::ParameterValue, 'The chart''s README: what it deploys, its main values and overlays')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them')
            break
        }
        'todoctl;help;show;values' {
            break
        }
        'todoctl;help;show;schema' {
            break
        }
        'todoctl;help;show;chart' {
            break
        }
        'todoctl;help;show;readme' {
            break
        }
        'todoctl;help;show;plan' {
            break
        }
        'todoctl;help;test' {
            break
        }
        'todoctl;help;version' {
            break
        }
        'todoctl;help;completion' {
            break
        }
        'todoctl;help;generate-man' {
            break
        }
        'todoctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
