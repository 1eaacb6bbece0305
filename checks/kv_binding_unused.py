import re
from dataclasses import dataclass, field

from edgelint.api import Check, Figure, RouteFact


@dataclass
class Options:
    #: KV bindings that are declared for something outside the app (another Worker, a script)
    allow_unused: list[str] = field(default_factory=list)


class KvBindingUnused(Check):
    """## What it does
    Notes a KV namespace declared in a Wrangler config (`kv_namespaces`, at the top level or in
    an `[env.<name>]` section) that nothing in the app's code reads.

    ## Why is this bad?
    It is usually left over from a refactor or a renamed binding — and a renamed binding means
    the code now reads a name that is not declared (EDGE301). A stale declaration also keeps a
    namespace id in the config that nobody maintains (REFERENCE.md §3.3).

    To stay quiet when in doubt, a binding counts as used when any source file of the app
    (type declarations `*.d.ts` aside) mentions its name — e.g. a seeding script or an
    unrecognised access — and nothing is reported when the code reads the env with a computed
    key (`env[name]`, or `process.env[name]` under next-on-pages, which copies bindings there;
    under OpenNext `process.env` holds strings only (REFERENCE.md §2.5), so an env-var helper such as
    `process.env[`${name}_URL`]` reads no binding). The cache bindings the adapters read themselves are never reported:
    OpenNext's (`NEXT_INC_CACHE_KV`, …, REFERENCE.md §2.5) under OpenNext, and next-on-pages' KV suspense cache
    `__NEXT_ON_PAGES__KV_SUSPENSE_CACHE` (its `templates/cache/kv.ts`).

    Targets: `next-on-pages`, `opennext`. A note: it never fails a run.

    ## Example
    ```toml
    [[kv_namespaces]]
    binding = "OLD_CACHE"   # nothing reads env.OLD_CACHE
    id = "…"
    ```

    ## Use instead
    Remove the declaration, or use the binding under the name it is declared with.

    ## Options
    `[kv]` `allow-unused = ["LEGACY_CACHE"]` names bindings that are declared on purpose for
    something outside the app (suppression comments cannot be written in a Wrangler file).
    """

    code, name, area = "EDGE302", "kv-binding-unused", "kv"
    severity = "note"
    targets = frozenset({"next-on-pages", "opennext"})
    Options = Options

    def run(self, ctx):
        from ._kv import NEXT_ON_PAGES_RESERVED, OPENNEXT_RESERVED, kv_index

        index = kv_index(ctx)
        if index.dynamic_env or not index.declared:
            return
        used = {name for _path, name, _how, _typed in index.reads}
        candidates = {n for n in index.declared if n not in used}
        if ctx.target == "opennext":
            candidates -= OPENNEXT_RESERVED
        candidates -= NEXT_ON_PAGES_RESERVED  # a Pages project's cache, also with a Wrangler file that says `main`
        candidates -= set(getattr(self.options, "allow_unused", None) or ())
        if not candidates:
            return
        candidates -= _mentioned(ctx, candidates)
        for name in sorted(candidates):
            first_per_file = {}
            for binding in index.declared[name]:
                first_per_file.setdefault(binding.path, binding)
            for path, binding in sorted(first_per_file.items()):
                envs = sorted({b.env for b in index.declared[name] if b.path == path})
                where = ", ".join("top level" if not e else f"[env.{e}]" for e in envs)
                yield ctx.finding(
                    self, path, binding.span,
                    f"KV namespace `{name}` is declared in {ctx.app.local(path)} ({where}) but the app's code "
                    f"never reads it (no `env.{name}` anywhere); remove it or check for a renamed binding",
                    binding=name)


    def audit(self, ctx):
        """KV bindings used and declared, and the KV bindings each route file reads."""
        from ._kv import kv_index

        index = kv_index(ctx)
        used = {a.name for f in index.files.values() for a in f.accesses if index.is_kv(a.name, a.how, a.typed_kv)}
        declared = set(index.declared)
        yield Figure("kv", "KV bindings used", len(used), None, detail=f"{len(declared)} declared")
        if used:
            yield Figure("kv", "KV bindings used that are declared", len(used & declared), len(used))
        for route in ctx.app.routes:
            file = index.files.get(route.path)
            names = sorted({a.name for a in file.accesses if index.is_kv(a.name, a.how, a.typed_kv)}) if file else []
            if names:
                yield RouteFact(route.path, "KV", ", ".join(names))


def _mentioned(ctx, names: set[str]) -> set[str]:
    """The names that appear as a word in a source file of the app (not in `*.d.ts` files)."""
    pattern = re.compile(rb"\b(" + b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\b")
    found: set[str] = set()
    for path in ctx.app.files:
        if path.endswith(".d.ts"):
            continue
        data = ctx.ws.read(path)
        if data is None:
            continue
        for match in pattern.finditer(data):
            found.add(match.group(1).decode())
        if found >= names:
            break
    return found
