# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_todoctl_global_optspecs
    string join \n kubeconfig= context= no-progress v/verbose h/help V/version
end

function __fish_todoctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_todoctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_todoctl_using_subcommand
    set -l cmd (__fish_todoctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c todoctl -n "__fish_todoctl_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_needs_command" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_needs_command" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_needs_command" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_needs_command" -s h -l help -d 'Print help'
complete -c todoctl -n "__fish_todoctl_needs_command" -s V -l version -d 'Print version'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "install" -d 'Install the chart as a new release.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "upgrade" -d 'Upgrade a release to new values or a new chart.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "apply" -d 'Apply a plan saved by `todoctl diff --out`: exactly the objects and values that were reviewed, as `todoctl upgrade` (or `upgrade --install`) would apply and record them.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "rollback" -d 'Roll a release back to an earlier revision.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "history" -d 'Show the revisions of a release: when, status, chart, app version, description.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "status" -d 'Show a release: its revision and status, the health of every object it owns (ready replicas, pod problems and recent warning events), and its notes.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "uninstall" -d 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "un" -d 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "del" -d 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "delete" -d 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "list" -d 'List releases: name, namespace, revision, status, chart, updated.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "ls" -d 'List releases: name, namespace, revision, status, chart, updated.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "template" -d 'Render the chart locally and print the objects as YAML, in the order they would be applied.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "lint" -d 'Check the chart and values: schema, templates, object validity, and best practices.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "diff" -d 'Show what `todoctl upgrade` with the same flags would change in the cluster.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "get" -d 'Show what a release revision recorded'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "import" -d 'Bring a release another tool deployed under todoctl, without replacing a pod'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "unlock" -d 'Remove the lock of a release whose operation you know is gone.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "show" -d 'Show a chart\'s files: its default values, values schema, metadata or README'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "test" -d 'Run the tests of a release against its deployed revision.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "version" -d 'Show todoctl\'s version, the built-in chart\'s name and version, and the version of the API server the kubeconfig points at.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "completion" -d 'Print a shell completion script.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "generate-man" -d 'Write the manual pages of todoctl and each of its commands into DIR.'
complete -c todoctl -n "__fish_todoctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -s f -l values -d 'A values file (YAML); repeat to layer several, later files win' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l set -d 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l set-string -d 'Set a value, always as a string' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l set-json -d 'Set a value from JSON: `path={"a":1}`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l set-file -d 'Set a value to a file\'s contents: `path=FILE`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l set-env -d 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l dry-run -d 'Ask the API server to validate and dry-run every change; change and record nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l history-max -d 'Keep at most this many revision records (0: keep all)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l post-renderer -d 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l post-renderer-args -d 'An argument for the post-renderer (repeatable)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -s n -l namespace -d 'Namespace of the release and its objects (created when missing)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l atomic -l rollback-on-failure -d 'On failure, roll back to the previous revision (or uninstall a failed install)'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l force-conflicts -d 'Take over fields another field manager owns instead of failing on the conflict'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l adopt -l take-ownership -d 'Take over existing objects that belong to no release or to another one'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l prune-pvcs -d 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l prune-crds -d 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -s f -l values -d 'A values file (YAML); repeat to layer several, later files win' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l set -d 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l set-string -d 'Set a value, always as a string' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l set-json -d 'Set a value from JSON: `path={"a":1}`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l set-file -d 'Set a value to a file\'s contents: `path=FILE`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l set-env -d 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l dry-run -d 'Ask the API server to validate and dry-run every change; change and record nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l history-max -d 'Keep at most this many revision records (0: keep all)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l post-renderer -d 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l post-renderer-args -d 'An argument for the post-renderer (repeatable)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -s n -l namespace -d 'Namespace of the release and its objects (created when missing only by --install, when it installs)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l atomic -l rollback-on-failure -d 'On failure, roll back to the previous revision (or uninstall a failed install)'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l force-conflicts -d 'Take over fields another field manager owns instead of failing on the conflict'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l adopt -l take-ownership -d 'Take over existing objects that belong to no release or to another one'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l prune-pvcs -d 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l prune-crds -d 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -s i -l install -d 'Install the release if it does not exist yet'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l reset-values -d 'Forget the previous revision\'s values: start from the chart defaults'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -s r -l release -d 'The release the plan must be for [default: the plan\'s]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -s n -l namespace -d 'The namespace the plan must be for [default: the plan\'s]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -l max-age -d 'Refuse a plan older than this, e.g. 1h, 30m (0: no limit)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -l atomic -d 'On failure, roll back to the previous revision (or uninstall a failed install)'
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l dry-run -d 'Ask the API server to validate and dry-run every change; change and record nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l history-max -d 'Keep at most this many revision records (0: keep all)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -s n -l namespace -d 'Namespace of the release and its objects (never created: a missing one means the release is not found)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l atomic -l rollback-on-failure -d 'On failure, roll back to the previous revision (or uninstall a failed install)'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l force-conflicts -d 'Take over fields another field manager owns instead of failing on the conflict'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l adopt -l take-ownership -d 'Take over existing objects that belong to no release or to another one'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l prune-pvcs -d 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l prune-crds -d 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -l max -d 'Show at most this many of the newest revisions' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -l revision -d 'Show this revision\'s record instead of the latest' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l dry-run -d 'Show what would be deleted, delete nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -s n -l namespace -d 'Namespace of the release and its objects (never created: a missing one means the release is not found)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l keep-history -d 'Keep the release records (history) after deleting the objects'
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l delete-crds -d 'Delete the release\'s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l delete-pvcs -d 'Delete the release\'s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l dry-run -d 'Show what would be deleted, delete nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -s n -l namespace -d 'Namespace of the release and its objects (never created: a missing one means the release is not found)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l keep-history -d 'Keep the release records (history) after deleting the objects'
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l delete-crds -d 'Delete the release\'s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l delete-pvcs -d 'Delete the release\'s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand un" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l dry-run -d 'Show what would be deleted, delete nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -s n -l namespace -d 'Namespace of the release and its objects (never created: a missing one means the release is not found)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l keep-history -d 'Keep the release records (history) after deleting the objects'
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l delete-crds -d 'Delete the release\'s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l delete-pvcs -d 'Delete the release\'s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand del" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l timeout -d 'How long to wait for readiness before failing, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l dry-run -d 'Show what would be deleted, delete nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -s n -l namespace -d 'Namespace of the release and its objects (never created: a missing one means the release is not found)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l no-wait -d 'Return as soon as everything is applied; do not wait for readiness'
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l keep-history -d 'Keep the release records (history) after deleting the objects'
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l delete-crds -d 'Delete the release\'s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l delete-pvcs -d 'Delete the release\'s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s n -l namespace -d 'Namespace to list' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s f -l filter -d 'Show only releases whose name matches this regular expression' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s m -l max -d 'Show at most this many releases (0: all)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l offset -d 'Skip this many releases first' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s A -l all-namespaces -d 'List releases in every namespace'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s a -l all -d 'Show releases of every status (by default: deployed and failed)'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l deployed -d 'Show deployed releases'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l failed -d 'Show failed releases'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l pending -d 'Show releases an operation is installing, upgrading or rolling back'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l uninstalled -d 'Show releases uninstalled with --keep-history'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l uninstalling -d 'Show releases being uninstalled'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s q -l short -d 'Print release names only, one per line'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s d -l date -d 'Sort by last update, oldest first (default: by namespace and name)'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s r -l reverse -d 'Reverse the order'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s n -l namespace -d 'Namespace to list' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s f -l filter -d 'Show only releases whose name matches this regular expression' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s m -l max -d 'Show at most this many releases (0: all)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l offset -d 'Skip this many releases first' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s A -l all-namespaces -d 'List releases in every namespace'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s a -l all -d 'Show releases of every status (by default: deployed and failed)'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l deployed -d 'Show deployed releases'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l failed -d 'Show failed releases'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l pending -d 'Show releases an operation is installing, upgrading or rolling back'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l uninstalled -d 'Show releases uninstalled with --keep-history'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l uninstalling -d 'Show releases being uninstalled'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s q -l short -d 'Print release names only, one per line'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s d -l date -d 'Sort by last update, oldest first (default: by namespace and name)'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s r -l reverse -d 'Reverse the order'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -s f -l values -d 'A values file (YAML); repeat to layer several, later files win' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l set -d 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l set-string -d 'Set a value, always as a string' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l set-json -d 'Set a value from JSON: `path={"a":1}`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l set-file -d 'Set a value to a file\'s contents: `path=FILE`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l set-env -d 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l kube-version -d 'Kubernetes version to assume when rendering without a cluster, e.g. v1.35.0' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l api-versions -d 'An API version the target serves, e.g. monitoring.coreos.com/v1 (repeatable)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l post-renderer -d 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l post-renderer-args -d 'An argument for the post-renderer (repeatable)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l show-only -d 'Print only the objects of this template, e.g. templates/backend.yaml (repeatable)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l output-dir -d 'Write one file per template under DIR instead of printing' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l include-tests -d 'Also print the test objects `todoctl test` runs (left out by default, as install leaves them out)'
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand template" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -s f -l values -d 'A values file (YAML); repeat to layer several, later files win' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l set -d 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l set-string -d 'Set a value, always as a string' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l set-json -d 'Set a value from JSON: `path={"a":1}`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l set-file -d 'Set a value to a file\'s contents: `path=FILE`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l set-env -d 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l kube-version -d 'Kubernetes version to assume when rendering without a cluster, e.g. v1.35.0' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l api-versions -d 'An API version the target serves, e.g. monitoring.coreos.com/v1 (repeatable)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l strict -d 'Treat warnings as failures'
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -s f -l values -d 'A values file (YAML); repeat to layer several, later files win' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l set -d 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l set-string -d 'Set a value, always as a string' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l set-json -d 'Set a value from JSON: `path={"a":1}`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l set-file -d 'Set a value to a file\'s contents: `path=FILE`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l set-env -d 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l post-renderer -d 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l post-renderer-args -d 'An argument for the post-renderer (repeatable)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l revision -d 'Compare two stored revisions instead (give it twice); takes no chart or values flags' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l out -d 'Also save the change as a plan for `todoctl apply PLAN` (mode 0600; it holds secret values unredacted)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -s o -l output -d 'Output format (table is a unified diff, coloured on a terminal)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l timeout -d 'Accepted for the same command line as upgrade, and ignored: diff changes nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l history-max -d 'Accepted for the same command line as upgrade, and ignored: diff changes nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l dry-run -d 'Accepted for the same command line as upgrade; diff is always a dry run' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l prune-pvcs -d 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l prune-crds -d 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -s i -l install -d 'Show the install of a release that does not exist yet, as upgrade --install would do it'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l reset-values -d 'Forget the previous revision\'s values: start from the chart defaults'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l detailed-exitcode -d 'Exit 2 when there are changes, 0 when there are none, 1 on error'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l show-secrets -d 'Show secret values in the diff'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l no-wait -d 'Accepted for the same command line as upgrade, and ignored: diff changes nothing'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l atomic -l rollback-on-failure -d 'Accepted for the same command line as upgrade, and ignored: diff changes nothing'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l adopt -l take-ownership -d 'Without --out, accepted for the same command line as upgrade (diff shows objects of another release as they would be after --adopt); with --out, the plan takes them over only with it, and diff refuses them without it'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l force-conflicts -d 'Show what a forced apply would do to fields another field manager owns, instead of failing on them'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -s h -l help -d 'Print help'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -f -a "values" -d 'The values the user supplied (--all: merged with the chart defaults)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -f -a "manifest" -d 'The rendered objects that were applied (Secret values redacted unless --show-secrets)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -f -a "notes" -d 'The notes shown after install or upgrade'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -f -a "metadata" -d 'The revision\'s facts: release, chart, versions, namespace, revision, status, deploy time'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -f -a "all" -d 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and not __fish_seen_subcommand_from values manifest notes metadata all help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -l revision -d 'The revision (default: the latest)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -s o -l output -d 'Output format (table prints YAML)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -s a -l all -d 'All computed values, not only those the user supplied'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -l show-secrets -d 'Show secret values instead of <redacted>'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from values" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -l revision -d 'The revision (default: the latest)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -l show-secrets -d 'Show Secret values instead of <redacted>'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from manifest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -l revision -d 'The revision (default: the latest)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from notes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -l revision -d 'The revision (default: the latest)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from metadata" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -l revision -d 'The revision (default: the latest)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -s o -l output -d 'Output format (table prints sections of text and YAML, as Helm does)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -l show-secrets -d 'Show secret values and Secret data instead of <redacted>'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from all" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from help" -f -a "values" -d 'The values the user supplied (--all: merged with the chart defaults)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from help" -f -a "manifest" -d 'The rendered objects that were applied (Secret values redacted unless --show-secrets)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from help" -f -a "notes" -d 'The notes shown after install or upgrade'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from help" -f -a "metadata" -d 'The revision\'s facts: release, chart, versions, namespace, revision, status, deploy time'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from help" -f -a "all" -d 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)'
complete -c todoctl -n "__fish_todoctl_using_subcommand get; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and not __fish_seen_subcommand_from helm help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and not __fish_seen_subcommand_from helm help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and not __fish_seen_subcommand_from helm help" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and not __fish_seen_subcommand_from helm help" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and not __fish_seen_subcommand_from helm help" -s h -l help -d 'Print help'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and not __fish_seen_subcommand_from helm help" -f -a "helm" -d 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and not __fish_seen_subcommand_from helm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -s r -l release -d 'Name of the todoctl release to create [default: HELM_RELEASE]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -s n -l namespace -d 'Namespace of the Helm release; the todoctl release goes in the same one' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l helm-driver -d 'Where Helm keeps its records (Helm\'s --helm-driver)' -r -f -a "secret\t''
configmap\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -s f -l values -d 'A values file (YAML); repeat to layer several, later files win' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l set -d 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l set-string -d 'Set a value, always as a string' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l set-json -d 'Set a value from JSON: `path={"a":1}`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l set-file -d 'Set a value to a file\'s contents: `path=FILE`' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l set-env -d 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l dry-run -d 'Show what would be imported and what the first upgrade would change; change nothing' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l backup-dir -d 'Directory for the backup of Helm\'s records (a file readable only by you: they hold the release\'s values)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -s o -l output -d 'Output format of the report' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l delete-helm-records -d 'Delete Helm\'s records after the import instead of labelling them (a backup is written first either way)'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from helm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "helm" -d 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.'
complete -c todoctl -n "__fish_todoctl_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -s y -l yes -d 'Do not ask for confirmation'
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand unlock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -f -a "values" -d 'The chart\'s values.yaml, exactly as written: every value with its default and comment'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -f -a "schema" -d 'The chart\'s values schema (values.schema.json), which values are checked against'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -f -a "chart" -d 'The chart\'s Chart.yaml: name, version, app version, description'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -f -a "readme" -d 'The chart\'s README: what it deploys, its main values and overlays'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -f -a "plan" -d 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and not __fish_seen_subcommand_from values schema chart readme plan help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from values" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from values" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from values" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from values" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from values" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from values" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from schema" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from schema" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from schema" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from schema" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from schema" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from chart" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from chart" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from chart" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from chart" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from chart" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from chart" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from readme" -l chart -d 'Chart directory (default: the todo-app chart built into todoctl)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from readme" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from readme" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from readme" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from readme" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from readme" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from plan" -s o -l output -d 'Output format (table is a unified diff, coloured on a terminal)' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from plan" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from plan" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from plan" -l show-secrets -d 'Show secret values in the diff'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from plan" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from plan" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from help" -f -a "values" -d 'The chart\'s values.yaml, exactly as written: every value with its default and comment'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from help" -f -a "schema" -d 'The chart\'s values schema (values.schema.json), which values are checked against'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from help" -f -a "chart" -d 'The chart\'s Chart.yaml: name, version, app version, description'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from help" -f -a "readme" -d 'The chart\'s README: what it deploys, its main values and overlays'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from help" -f -a "plan" -d 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them'
complete -c todoctl -n "__fish_todoctl_using_subcommand show; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -s r -l release -d 'Release name [default: todo-app]' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -s n -l namespace -d 'Namespace of the release and its objects' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -l timeout -d 'How long all tests together may run, e.g. 90s, 5m' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -l logs -d 'Print the logs of the test pods'
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -l keep -d 'Leave the test objects in the cluster afterwards, for a look (the next run replaces them)'
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c todoctl -n "__fish_todoctl_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand version" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand version" -l client -d 'Do not contact the API server'
complete -c todoctl -n "__fish_todoctl_using_subcommand version" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand version" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand completion" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand completion" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand completion" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand generate-man" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c todoctl -n "__fish_todoctl_using_subcommand generate-man" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c todoctl -n "__fish_todoctl_using_subcommand generate-man" -l no-progress -d 'Never draw progress bars, even on a terminal'
complete -c todoctl -n "__fish_todoctl_using_subcommand generate-man" -s v -l verbose -d 'Say more about what is happening (repeat for more)'
complete -c todoctl -n "__fish_todoctl_using_subcommand generate-man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "install" -d 'Install the chart as a new release.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "upgrade" -d 'Upgrade a release to new values or a new chart.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "apply" -d 'Apply a plan saved by `todoctl diff --out`: exactly the objects and values that were reviewed, as `todoctl upgrade` (or `upgrade --install`) would apply and record them.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "rollback" -d 'Roll a release back to an earlier revision.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "history" -d 'Show the revisions of a release: when, status, chart, app version, description.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "status" -d 'Show a release: its revision and status, the health of every object it owns (ready replicas, pod problems and recent warning events), and its notes.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "uninstall" -d 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "list" -d 'List releases: name, namespace, revision, status, chart, updated.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "template" -d 'Render the chart locally and print the objects as YAML, in the order they would be applied.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "lint" -d 'Check the chart and values: schema, templates, object validity, and best practices.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "diff" -d 'Show what `todoctl upgrade` with the same flags would change in the cluster.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "get" -d 'Show what a release revision recorded'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "import" -d 'Bring a release another tool deployed under todoctl, without replacing a pod'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "unlock" -d 'Remove the lock of a release whose operation you know is gone.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "show" -d 'Show a chart\'s files: its default values, values schema, metadata or README'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "test" -d 'Run the tests of a release against its deployed revision.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "version" -d 'Show todoctl\'s version, the built-in chart\'s name and version, and the version of the API server the kubeconfig points at.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "completion" -d 'Print a shell completion script.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "generate-man" -d 'Write the manual pages of todoctl and each of its commands into DIR.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and not __fish_seen_subcommand_from install upgrade apply rollback history status uninstall list template lint diff get import unlock show test version completion generate-man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from get" -f -a "values" -d 'The values the user supplied (--all: merged with the chart defaults)'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from get" -f -a "manifest" -d 'The rendered objects that were applied (Secret values redacted unless --show-secrets)'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from get" -f -a "notes" -d 'The notes shown after install or upgrade'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from get" -f -a "metadata" -d 'The revision\'s facts: release, chart, versions, namespace, revision, status, deploy time'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from get" -f -a "all" -d 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "helm" -d 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from show" -f -a "values" -d 'The chart\'s values.yaml, exactly as written: every value with its default and comment'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from show" -f -a "schema" -d 'The chart\'s values schema (values.schema.json), which values are checked against'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from show" -f -a "chart" -d 'The chart\'s Chart.yaml: name, version, app version, description'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from show" -f -a "readme" -d 'The chart\'s README: what it deploys, its main values and overlays'
complete -c todoctl -n "__fish_todoctl_using_subcommand help; and __fish_seen_subcommand_from show" -f -a "plan" -d 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them'
