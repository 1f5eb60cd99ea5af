
use builtin;
use str;

set edit:completion:arg-completer[todoctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'todoctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'todoctl'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Install the chart as a new release.'
            cand upgrade 'Upgrade a release to new values or a new chart.'
            cand apply 'Apply a plan saved by `todoctl diff --out`: exactly the objects and values that were reviewed, as `todoctl upgrade` (or `upgrade --install`) would apply and record them.'
            cand rollback 'Roll a release back to an earlier revision.'
            cand history 'Show the revisions of a release: when, status, chart, app version, description.'
            cand status 'Show a release: its revision and status, the health of every object it owns (ready replicas, pod problems and recent warning events), and its notes.'
            cand uninstall 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
            cand un 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
            cand del 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
            cand delete 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
            cand list 'List releases: name, namespace, revision, status, chart, updated.'
            cand ls 'List releases: name, namespace, revision, status, chart, updated.'
            cand template 'Render the chart locally and print the objects as YAML, in the order they would be applied.'
            cand lint 'Check the chart and values: schema, templates, object validity, and best practices.'
            cand diff 'Show what `todoctl upgrade` with the same flags would change in the cluster.'
            cand get 'Show what a release revision recorded'
            cand import 'Bring a release another tool deployed under todoctl, without replacing a pod'
            cand unlock 'Remove the lock of a release whose operation you know is gone.'
            cand show 'Show a chart''s files: its default values, values schema, metadata or README'
            cand test 'Run the tests of a release against its deployed revision.'
            cand version 'Show todoctl''s version, the built-in chart''s name and version, and the version of the API server the kubeconfig points at.'
            cand completion 'Print a shell completion script.'
            cand generate-man 'Write the manual pages of todoctl and each of its commands into DIR.'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;install'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand -f 'A values file (YAML); repeat to layer several, later files win'
            cand --values 'A values file (YAML); repeat to layer several, later files win'
            cand --set 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)'
            cand --set-string 'Set a value, always as a string'
            cand --set-json 'Set a value from JSON: `path={"a":1}`'
            cand --set-file 'Set a value to a file''s contents: `path=FILE`'
            cand --set-env 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --dry-run 'Ask the API server to validate and dry-run every change; change and record nothing'
            cand --history-max 'Keep at most this many revision records (0: keep all)'
            cand --post-renderer 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)'
            cand --post-renderer-args 'An argument for the post-renderer (repeatable)'
            cand -n 'Namespace of the release and its objects (created when missing)'
            cand --namespace 'Namespace of the release and its objects (created when missing)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --atomic 'On failure, roll back to the previous revision (or uninstall a failed install)'
            cand --rollback-on-failure 'On failure, roll back to the previous revision (or uninstall a failed install)'
            cand --force-conflicts 'Take over fields another field manager owns instead of failing on the conflict'
            cand --adopt 'Take over existing objects that belong to no release or to another one'
            cand --take-ownership 'Take over existing objects that belong to no release or to another one'
            cand --prune-pvcs 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
            cand --prune-crds 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;upgrade'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand -f 'A values file (YAML); repeat to layer several, later files win'
            cand --values 'A values file (YAML); repeat to layer several, later files win'
            cand --set 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)'
            cand --set-string 'Set a value, always as a string'
            cand --set-json 'Set a value from JSON: `path={"a":1}`'
            cand --set-file 'Set a value to a file''s contents: `path=FILE`'
            cand --set-env 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --dry-run 'Ask the API server to validate and dry-run every change; change and record nothing'
            cand --history-max 'Keep at most this many revision records (0: keep all)'
            cand --post-renderer 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)'
            cand --post-renderer-args 'An argument for the post-renderer (repeatable)'
            cand -n 'Namespace of the release and its objects (created when missing only by --install, when it installs)'
            cand --namespace 'Namespace of the release and its objects (created when missing only by --install, when it installs)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --atomic 'On failure, roll back to the previous revision (or uninstall a failed install)'
            cand --rollback-on-failure 'On failure, roll back to the previous revision (or uninstall a failed install)'
            cand --force-conflicts 'Take over fields another field manager owns instead of failing on the conflict'
            cand --adopt 'Take over existing objects that belong to no release or to another one'
            cand --take-ownership 'Take over existing objects that belong to no release or to another one'
            cand --prune-pvcs 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
            cand --prune-crds 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
            cand -i 'Install the release if it does not exist yet'
            cand --install 'Install the release if it does not exist yet'
            cand --reset-values 'Forget the previous revision''s values: start from the chart defaults'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;apply'= {
            cand -r 'The release the plan must be for [default: the plan''s]'
            cand --release 'The release the plan must be for [default: the plan''s]'
            cand -n 'The namespace the plan must be for [default: the plan''s]'
            cand --namespace 'The namespace the plan must be for [default: the plan''s]'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --max-age 'Refuse a plan older than this, e.g. 1h, 30m (0: no limit)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --atomic 'On failure, roll back to the previous revision (or uninstall a failed install)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;rollback'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --dry-run 'Ask the API server to validate and dry-run every change; change and record nothing'
            cand --history-max 'Keep at most this many revision records (0: keep all)'
            cand -n 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --namespace 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --atomic 'On failure, roll back to the previous revision (or uninstall a failed install)'
            cand --rollback-on-failure 'On failure, roll back to the previous revision (or uninstall a failed install)'
            cand --force-conflicts 'Take over fields another field manager owns instead of failing on the conflict'
            cand --adopt 'Take over existing objects that belong to no release or to another one'
            cand --take-ownership 'Take over existing objects that belong to no release or to another one'
            cand --prune-pvcs 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
            cand --prune-crds 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;history'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --max 'Show at most this many of the newest revisions'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;status'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --revision 'Show this revision''s record instead of the latest'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;uninstall'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --dry-run 'Show what would be deleted, delete nothing'
            cand -n 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --namespace 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --keep-history 'Keep the release records (history) after deleting the objects'
            cand --delete-crds 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
            cand --delete-pvcs 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;un'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --dry-run 'Show what would be deleted, delete nothing'
            cand -n 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --namespace 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --keep-history 'Keep the release records (history) after deleting the objects'
            cand --delete-crds 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
            cand --delete-pvcs 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;del'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --dry-run 'Show what would be deleted, delete nothing'
            cand -n 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --namespace 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --keep-history 'Keep the release records (history) after deleting the objects'
            cand --delete-crds 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
            cand --delete-pvcs 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;delete'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand --timeout 'How long to wait for readiness before failing, e.g. 90s, 5m'
            cand --dry-run 'Show what would be deleted, delete nothing'
            cand -n 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --namespace 'Namespace of the release and its objects (never created: a missing one means the release is not found)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-wait 'Return as soon as everything is applied; do not wait for readiness'
            cand --keep-history 'Keep the release records (history) after deleting the objects'
            cand --delete-crds 'Delete the release''s CustomResourceDefinitions too, and with them every object of their kinds in the cluster'
            cand --delete-pvcs 'Delete the release''s PersistentVolumeClaims too, and with them the data of volumes whose reclaim policy is Delete'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;list'= {
            cand -n 'Namespace to list'
            cand --namespace 'Namespace to list'
            cand -f 'Show only releases whose name matches this regular expression'
            cand --filter 'Show only releases whose name matches this regular expression'
            cand -m 'Show at most this many releases (0: all)'
            cand --max 'Show at most this many releases (0: all)'
            cand --offset 'Skip this many releases first'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -A 'List releases in every namespace'
            cand --all-namespaces 'List releases in every namespace'
            cand -a 'Show releases of every status (by default: deployed and failed)'
            cand --all 'Show releases of every status (by default: deployed and failed)'
            cand --deployed 'Show deployed releases'
            cand --failed 'Show failed releases'
            cand --pending 'Show releases an operation is installing, upgrading or rolling back'
            cand --uninstalled 'Show releases uninstalled with --keep-history'
            cand --uninstalling 'Show releases being uninstalled'
            cand -q 'Print release names only, one per line'
            cand --short 'Print release names only, one per line'
            cand -d 'Sort by last update, oldest first (default: by namespace and name)'
            cand --date 'Sort by last update, oldest first (default: by namespace and name)'
            cand -r 'Reverse the order'
            cand --reverse 'Reverse the order'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;ls'= {
            cand -n 'Namespace to list'
            cand --namespace 'Namespace to list'
            cand -f 'Show only releases whose name matches this regular expression'
            cand --filter 'Show only releases whose name matches this regular expression'
            cand -m 'Show at most this many releases (0: all)'
            cand --max 'Show at most this many releases (0: all)'
            cand --offset 'Skip this many releases first'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -A 'List releases in every namespace'
            cand --all-namespaces 'List releases in every namespace'
            cand -a 'Show releases of every status (by default: deployed and failed)'
            cand --all 'Show releases of every status (by default: deployed and failed)'
            cand --deployed 'Show deployed releases'
            cand --failed 'Show failed releases'
            cand --pending 'Show releases an operation is installing, upgrading or rolling back'
            cand --uninstalled 'Show releases uninstalled with --keep-history'
            cand --uninstalling 'Show releases being uninstalled'
            cand -q 'Print release names only, one per line'
            cand --short 'Print release names only, one per line'
            cand -d 'Sort by last update, oldest first (default: by namespace and name)'
            cand --date 'Sort by last update, oldest first (default: by namespace and name)'
            cand -r 'Reverse the order'
            cand --reverse 'Reverse the order'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;template'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand -f 'A values file (YAML); repeat to layer several, later files win'
            cand --values 'A values file (YAML); repeat to layer several, later files win'
            cand --set 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)'
            cand --set-string 'Set a value, always as a string'
            cand --set-json 'Set a value from JSON: `path={"a":1}`'
            cand --set-file 'Set a value to a file''s contents: `path=FILE`'
            cand --set-env 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line'
            cand --kube-version 'Kubernetes version to assume when rendering without a cluster, e.g. v1.35.0'
            cand --api-versions 'An API version the target serves, e.g. monitoring.coreos.com/v1 (repeatable)'
            cand --post-renderer 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)'
            cand --post-renderer-args 'An argument for the post-renderer (repeatable)'
            cand --show-only 'Print only the objects of this template, e.g. templates/backend.yaml (repeatable)'
            cand --output-dir 'Write one file per template under DIR instead of printing'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --include-tests 'Also print the test objects `todoctl test` runs (left out by default, as install leaves them out)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;lint'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand -f 'A values file (YAML); repeat to layer several, later files win'
            cand --values 'A values file (YAML); repeat to layer several, later files win'
            cand --set 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)'
            cand --set-string 'Set a value, always as a string'
            cand --set-json 'Set a value from JSON: `path={"a":1}`'
            cand --set-file 'Set a value to a file''s contents: `path=FILE`'
            cand --set-env 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line'
            cand --kube-version 'Kubernetes version to assume when rendering without a cluster, e.g. v1.35.0'
            cand --api-versions 'An API version the target serves, e.g. monitoring.coreos.com/v1 (repeatable)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --strict 'Treat warnings as failures'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;diff'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand -f 'A values file (YAML); repeat to layer several, later files win'
            cand --values 'A values file (YAML); repeat to layer several, later files win'
            cand --set 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)'
            cand --set-string 'Set a value, always as a string'
            cand --set-json 'Set a value from JSON: `path={"a":1}`'
            cand --set-file 'Set a value to a file''s contents: `path=FILE`'
            cand --set-env 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line'
            cand --post-renderer 'A program that reads the rendered YAML on stdin and writes the objects to use on stdout, e.g. a kustomize wrapper; it sees secret values (TODOCTL_POST_RENDERER_TIMEOUT: seconds it may run, default 60)'
            cand --post-renderer-args 'An argument for the post-renderer (repeatable)'
            cand --revision 'Compare two stored revisions instead (give it twice); takes no chart or values flags'
            cand --out 'Also save the change as a plan for `todoctl apply PLAN` (mode 0600; it holds secret values unredacted)'
            cand -o 'Output format (table is a unified diff, coloured on a terminal)'
            cand --output 'Output format (table is a unified diff, coloured on a terminal)'
            cand --timeout 'Accepted for the same command line as upgrade, and ignored: diff changes nothing'
            cand --history-max 'Accepted for the same command line as upgrade, and ignored: diff changes nothing'
            cand --dry-run 'Accepted for the same command line as upgrade; diff is always a dry run'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --prune-pvcs 'Delete PersistentVolumeClaims this revision no longer has (kept by default: they hold data)'
            cand --prune-crds 'Delete CustomResourceDefinitions this revision no longer has (kept by default: deleting one deletes every object of its kind in the cluster)'
            cand -i 'Show the install of a release that does not exist yet, as upgrade --install would do it'
            cand --install 'Show the install of a release that does not exist yet, as upgrade --install would do it'
            cand --reset-values 'Forget the previous revision''s values: start from the chart defaults'
            cand --detailed-exitcode 'Exit 2 when there are changes, 0 when there are none, 1 on error'
            cand --show-secrets 'Show secret values in the diff'
            cand --no-wait 'Accepted for the same command line as upgrade, and ignored: diff changes nothing'
            cand --atomic 'Accepted for the same command line as upgrade, and ignored: diff changes nothing'
            cand --rollback-on-failure 'Accepted for the same command line as upgrade, and ignored: diff changes nothing'
            cand --adopt 'Without --out, accepted for the same command line as upgrade (diff shows objects of another release as they would be after --adopt); with --out, the plan takes them over only with it, and diff refuses them without it'
            cand --take-ownership 'Without --out, accepted for the same command line as upgrade (diff shows objects of another release as they would be after --adopt); with --out, the plan takes them over only with it, and diff refuses them without it'
            cand --force-conflicts 'Show what a forced apply would do to fields another field manager owns, instead of failing on them'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;get'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand values 'The values the user supplied (--all: merged with the chart defaults)'
            cand manifest 'The rendered objects that were applied (Secret values redacted unless --show-secrets)'
            cand notes 'The notes shown after install or upgrade'
            cand metadata 'The revision''s facts: release, chart, versions, namespace, revision, status, deploy time'
            cand all 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;get;values'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --revision 'The revision (default: the latest)'
            cand -o 'Output format (table prints YAML)'
            cand --output 'Output format (table prints YAML)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -a 'All computed values, not only those the user supplied'
            cand --all 'All computed values, not only those the user supplied'
            cand --show-secrets 'Show secret values instead of <redacted>'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;get;manifest'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --revision 'The revision (default: the latest)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --show-secrets 'Show Secret values instead of <redacted>'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;get;notes'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --revision 'The revision (default: the latest)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;get;metadata'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --revision 'The revision (default: the latest)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;get;all'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --revision 'The revision (default: the latest)'
            cand -o 'Output format (table prints sections of text and YAML, as Helm does)'
            cand --output 'Output format (table prints sections of text and YAML, as Helm does)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --show-secrets 'Show secret values and Secret data instead of <redacted>'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;get;help'= {
            cand values 'The values the user supplied (--all: merged with the chart defaults)'
            cand manifest 'The rendered objects that were applied (Secret values redacted unless --show-secrets)'
            cand notes 'The notes shown after install or upgrade'
            cand metadata 'The revision''s facts: release, chart, versions, namespace, revision, status, deploy time'
            cand all 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;get;help;values'= {
        }
        &'todoctl;get;help;manifest'= {
        }
        &'todoctl;get;help;notes'= {
        }
        &'todoctl;get;help;metadata'= {
        }
        &'todoctl;get;help;all'= {
        }
        &'todoctl;get;help;help'= {
        }
        &'todoctl;import'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand helm 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;import;helm'= {
            cand -r 'Name of the todoctl release to create [default: HELM_RELEASE]'
            cand --release 'Name of the todoctl release to create [default: HELM_RELEASE]'
            cand -n 'Namespace of the Helm release; the todoctl release goes in the same one'
            cand --namespace 'Namespace of the Helm release; the todoctl release goes in the same one'
            cand --helm-driver 'Where Helm keeps its records (Helm''s --helm-driver)'
            cand -f 'A values file (YAML); repeat to layer several, later files win'
            cand --values 'A values file (YAML); repeat to layer several, later files win'
            cand --set 'Set a value: `path.to.key=value[,other=value]` (true/false, integers and null are typed)'
            cand --set-string 'Set a value, always as a string'
            cand --set-json 'Set a value from JSON: `path={"a":1}`'
            cand --set-file 'Set a value to a file''s contents: `path=FILE`'
            cand --set-env 'Set a value from an environment variable, e.g. `secrets.openaiApiKey=OPENAI_API_KEY`, so secrets stay off the command line'
            cand --dry-run 'Show what would be imported and what the first upgrade would change; change nothing'
            cand --backup-dir 'Directory for the backup of Helm''s records (a file readable only by you: they hold the release''s values)'
            cand -o 'Output format of the report'
            cand --output 'Output format of the report'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --delete-helm-records 'Delete Helm''s records after the import instead of labelling them (a backup is written first either way)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;import;help'= {
            cand helm 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;import;help;helm'= {
        }
        &'todoctl;import;help;help'= {
        }
        &'todoctl;unlock'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;show'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand values 'The chart''s values.yaml, exactly as written: every value with its default and comment'
            cand schema 'The chart''s values schema (values.schema.json), which values are checked against'
            cand chart 'The chart''s Chart.yaml: name, version, app version, description'
            cand readme 'The chart''s README: what it deploys, its main values and overlays'
            cand plan 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;show;values'= {
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;show;schema'= {
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;show;chart'= {
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;show;readme'= {
            cand --chart 'Chart directory (default: the todo-app chart built into todoctl)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;show;plan'= {
            cand -o 'Output format (table is a unified diff, coloured on a terminal)'
            cand --output 'Output format (table is a unified diff, coloured on a terminal)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --show-secrets 'Show secret values in the diff'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;show;help'= {
            cand values 'The chart''s values.yaml, exactly as written: every value with its default and comment'
            cand schema 'The chart''s values schema (values.schema.json), which values are checked against'
            cand chart 'The chart''s Chart.yaml: name, version, app version, description'
            cand readme 'The chart''s README: what it deploys, its main values and overlays'
            cand plan 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;show;help;values'= {
        }
        &'todoctl;show;help;schema'= {
        }
        &'todoctl;show;help;chart'= {
        }
        &'todoctl;show;help;readme'= {
        }
        &'todoctl;show;help;plan'= {
        }
        &'todoctl;show;help;help'= {
        }
        &'todoctl;test'= {
            cand -r 'Release name [default: todo-app]'
            cand --release 'Release name [default: todo-app]'
            cand -n 'Namespace of the release and its objects'
            cand --namespace 'Namespace of the release and its objects'
            cand --timeout 'How long all tests together may run, e.g. 90s, 5m'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --logs 'Print the logs of the test pods'
            cand --keep 'Leave the test objects in the cluster afterwards, for a look (the next run replaces them)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;version'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --client 'Do not contact the API server'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;completion'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;generate-man'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --no-progress 'Never draw progress bars, even on a terminal'
            cand -v 'Say more about what is happening (repeat for more)'
            cand --verbose 'Say more about what is happening (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'todoctl;help'= {
            cand install 'Install the chart as a new release.'
            cand upgrade 'Upgrade a release to new values or a new chart.'
            cand apply 'Apply a plan saved by `todoctl diff --out`: exactly the objects and values that were reviewed, as `todoctl upgrade` (or `upgrade --install`) would apply and record them.'
            cand rollback 'Roll a release back to an earlier revision.'
            cand history 'Show the revisions of a release: when, status, chart, app version, description.'
            cand status 'Show a release: its revision and status, the health of every object it owns (ready replicas, pod problems and recent warning events), and its notes.'
            cand uninstall 'Delete every object of a release, in reverse dependency order, and wait until they are gone.'
            cand list 'List releases: name, namespace, revision, status, chart, updated.'
            cand template 'Render the chart locally and print the objects as YAML, in the order they would be applied.'
            cand lint 'Check the chart and values: schema, templates, object validity, and best practices.'
            cand diff 'Show what `todoctl upgrade` with the same flags would change in the cluster.'
            cand get 'Show what a release revision recorded'
            cand import 'Bring a release another tool deployed under todoctl, without replacing a pod'
            cand unlock 'Remove the lock of a release whose operation you know is gone.'
            cand show 'Show a chart''s files: its default values, values schema, metadata or README'
            cand test 'Run the tests of a release against its deployed revision.'
            cand version 'Show todoctl''s version, the built-in chart''s name and version, and the version of the API server the kubeconfig points at.'
            cand completion 'Print a shell completion script.'
            cand generate-man 'Write the manual pages of todoctl and each of its commands into DIR.'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'todoctl;help;install'= {
        }
        &'todoctl;help;upgrade'= {
        }
        &'todoctl;help;apply'= {
        }
        &'todoctl;help;rollback'= {
        }
        &'todoctl;help;history'= {
        }
        &'todoctl;help;status'= {
        }
        &'todoctl;help;uninstall'= {
        }
        &'todoctl;help;list'= {
        }
        &'todoctl;help;template'= {
        }
        &'todoctl;help;lint'= {
        }
        &'todoctl;help;diff'= {
        }
        &'todoctl;help;get'= {
            cand values 'The values the user supplied (--all: merged with the chart defaults)'
            cand manifest 'The rendered objects that were applied (Secret values redacted unless --show-secrets)'
            cand notes 'The notes shown after install or upgrade'
            cand metadata 'The revision''s facts: release, chart, versions, namespace, revision, status, deploy time'
            cand all 'Everything a revision recorded: metadata, last test run, values, test objects, manifest and notes (secret values redacted unless --show-secrets)'
        }
        &'todoctl;help;get;values'= {
        }
        &'todoctl;help;get;manifest'= {
        }
        &'todoctl;help;get;notes'= {
        }
        &'todoctl;help;get;metadata'= {
        }
        &'todoctl;help;get;all'= {
        }
        &'todoctl;help;import'= {
            cand helm 'Bring a running Helm 3 or Helm 4 release under todoctl, with its history, without replacing a pod.'
        }
        &'todoctl;help;import;helm'= {
        }
        &'todoctl;help;unlock'= {
        }
        &'todoctl;help;show'= {
            cand values 'The chart''s values.yaml, exactly as written: every value with its default and comment'
            cand schema 'The chart''s values schema (values.schema.json), which values are checked against'
            cand chart 'The chart''s Chart.yaml: name, version, app version, description'
            cand readme 'The chart''s README: what it deploys, its main values and overlays'
            cand plan 'A plan saved by `todoctl diff --out`: its release, base revision and diff, Secrets redacted as `diff` redacts them'
        }
        &'todoctl;help;show;values'= {
        }
        &'todoctl;help;show;schema'= {
        }
        &'todoctl;help;show;chart'= {
        }
        &'todoctl;help;show;readme'= {
        }
        &'todoctl;help;show;plan'= {
        }
        &'todoctl;help;test'= {
        }
        &'todoctl;help;version'= {
        }
        &'todoctl;help;completion'= {
        }
        &'todoctl;help;generate-man'= {
        }
        &'todoctl;help;help'= {
        }
    ]
    $completions[$command]
}
