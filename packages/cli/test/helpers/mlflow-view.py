# What MLflow's own client sees in a tracking store: the reference the CLI's imports and
# syncs are compared with. Printed as JSON (NaN and infinities as strings).
import json
import math
import sys
import warnings

warnings.simplefilter("ignore")
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Trace  # noqa: E402

LOCATION_TAGS = {"mlflow.artifactLocation", "mlflow.trace.spansLocation"}


def num(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    return v


def view(uri, trace_ids):
    """Runs keyed by name (a server gives copied runs new ids), traces by id."""
    c = MlflowClient(uri)
    out = {"experiments": {}, "runs": {}, "traces": {}}
    experiments = c.search_experiments()
    for e in experiments:
        out["experiments"][e.name] = {k: v for k, v in e.tags.items() if not k.startswith("mlflow.")}
    for r in c.search_runs([e.experiment_id for e in experiments]):
        rid = r.info.run_id
        exp = c.get_experiment(r.info.experiment_id)
        out["runs"][r.info.run_name] = {
            "run_id": rid,
            "experiment": exp.name,
            "run_name": r.info.run_name,
            "status": r.info.status,
            "start_time": r.info.start_time,
            "end_time": r.info.end_time,
            "user_id": r.info.user_id,
            "params": r.data.params,
            "metrics": {k: num(v) for k, v in r.data.metrics.items()},
            "tags": r.data.tags,
            "history": {
                k: sorted([m.step, m.timestamp, num(m.value)] for m in c.get_metric_history(rid, k))
                for k in r.data.metrics
            },
        }
    for tid in trace_ids:
        t = c.get_trace(tid)
        out["traces"][tid] = trace_view(t, c)
    return out


def trace_view(t, c=None):
    info = t.info
    exp = c.get_experiment(info.experiment_id).name if c else None
    return {
        "experiment": exp,
        "state": str(info.state),
        "request_time": info.request_time,
        "execution_duration": info.execution_duration,
        "request_preview": info.request_preview,
        "response_preview": info.response_preview,
        "metadata": info.trace_metadata,
        "tags": {k: v for k, v in info.tags.items() if k not in LOCATION_TAGS},
        "spans": [
            {
                "name": s.name,
                "type": s.span_type,
                "span_id": s.span_id,
                "parent_id": s.parent_id,
                "status": str(s.status.status_code),
                "start": s.start_time_ns,
                "end": s.end_time_ns,
                "inputs": s.inputs,
                "outputs": s.outputs,
            }
            for s in sorted(t.data.spans, key=lambda s: s.start_time_ns)
        ],
    }


if __name__ == "__main__":
    args = json.loads(sys.argv[1])
    result = {name: view(uri, args["traces"]) for name, uri in args["uris"].items()}
    # Exported lines, read back with MLflow's own Trace.from_json.
    result["exported"] = {}
    for line in open(args["exported"]) if args.get("exported") else []:
        t = Trace.from_json(line)
        result["exported"][t.info.trace_id] = trace_view(t)
    print(json.dumps(result))
