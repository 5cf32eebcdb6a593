/** One headline figure of a page (the metrics page's row of boxes). */
export function Kpi({
  label,
  value,
  tone,
  title,
}: {
  label: string;
  value: string;
  tone?: 'bad' | undefined;
  title?: string | undefined;
}) {
  return (
    <div class={`kpi${tone ? ` kpi-${tone}` : ''}`} title={title}>
      <div class="kpi-label">{label}</div>
      <div class="kpi-value">{value}</div>
    </div>
  );
}
