// i18n.js — every UI string of the Diagnosis tab in English and Simplified
// Chinese, the names of the diagnosis codes, and the choice of language
// (localStorage, then the server's default, then the browser's language).

export const LANGS = ["en", "zh"];
export const LANG_NAMES = { en: "English", zh: "中文" };
const STORAGE_KEY = "lossdoc.lang";

const STRINGS = {
  en: {
    title: "Loss diagnosis",
    loading: "Loading diagnoses…",
    group_critical: "needs action",
    group_warning: "worth a look",
    group_info: "good to know",
    group_ok: "fine",
    group_unjudged: "not judged",
    group_critical_help: "Needs action: training is broken or wasted.",
    group_warning_help: "Worth a look: a problem that costs quality or time.",
    group_info_help: "Good to know: usually acceptable (plateau, overconfidence).",
    group_ok_help: "Fine: still improving or converged.",
    group_unjudged_help: "Not judged: too few points to judge (insufficient data), or skipped (no loss-like scalar).",
    group_here: "Here: {codes}.",
    group_skipped: "{n} skipped",
    group_filter_hint: "Click to show only these runs; click again to show all.",
    summary_label: "Runs by verdict group",
    col_select: "Compare",
    col_spark: "Loss curves",
    col_best_val_loss: "Best val loss",
    col_best_val_acc: "Best val acc",
    col_final_train_loss: "Final train loss",
    col_steps: "Steps",
    sort_by: "Sort by {column}",
    sort_label: "Sort the runs",
    select_run: "Select {run} to compare its losses",
    compare_title: "Comparing {n} runs",
    compare_count: "{n} of {max} runs selected to compare",
    compare_clear: "Clear selection",
    compare_full: "At most {max} runs can be compared at once.",
    compare_style: "solid: training · dashed: validation",
    compare_loading: "Loading the selected runs' curves…",
    compare_failed: "Could not load the curves of {run}: {message}",
    compare_hint: "Open a run to see its diagnosis; its chart overlays the selected runs.",
    notes_marker: "Problems with the event files: {notes}",
    notes_title: "What could not be used as written in this run's logs",
    verdict_damaged: "Part of this run's logs could not be used as written (see the notes below): the curves may be incomplete.",
    low_confidence: "low confidence: few points",
    confidence: "confidence {pct}%",
    run_detail_error: "Could not load the run's full diagnosis: {message}",
    forecast_title: "Train longer?",
    runs_total: "{n} runs",
    filter_placeholder: "Filter runs (regex)",
    filter_label: "Filter runs by name",
    filter_invalid: "Not a valid regular expression: matching it as plain text.",
    code_all: "All diagnoses",
    code_label: "Filter by diagnosis",
    showing: "Showing {shown} of {total} runs",
    no_match: "No run matches the filters.",
    col_run: "Run",
    col_verdict: "Verdict",
    col_best: "Best step",
    col_summary: "Reason",
    refresh: "Refresh",
    updated: "Updated {time}",
    error_load: "Could not load the diagnoses: {message}",
    error_stale: "Showing the data loaded at {time}.",
    empty_title: "No runs with loss-like scalars",
    empty_help:
      "LossDoc diagnoses runs that log a loss scalar, such as loss, train_loss, val_loss, epoch_loss or train/loss. The runs below were found without one.",
    empty_none:
      "No runs found yet. Start TensorBoard with --logdir pointing at a folder of event files written by SummaryWriter, Keras, Lightning or the Hugging Face Trainer.",
    skipped_title: "Skipped runs ({n})",
    skipped_reason: "Reason",
    skipped_tags: "Scalar tags seen",
    no_tags: "none",
    close: "Close",
    open_scalars: "Show in Time Series (scalars)",
    best_step: "Best step",
    best_marker: "best {step}",
    no_best: "—",
    nan_marker: "first {what}",
    spike_marker: "spike",
    step: "Step",
    steps_range: "steps {from}–{to}",
    step_single: "step {step}",
    steps_from: "from step {from}",
    chart_loss: "Loss",
    chart_acc: "Accuracy",
    chart_lr: "Learning rate",
    train_loss: "training loss",
    val_loss: "validation loss",
    train_acc: "training accuracy",
    val_acc: "validation accuracy",
    val_score: "validation mAP50",
    grad_norm: "gradient norm",
    lr: "learning rate",
    range_show_all: "Show extreme values",
    range_fit: "Fit typical values",
    range_clipped: "Some values are far outside the rest and are off the chart.",
    curves_loading: "Loading curves…",
    curves_error: "Could not load the curves: {message}",
    curves_empty: "No curve data for this run.",
    findings: "Findings",
    no_findings: "No findings for this run.",
    actions: "What to try",
    evidence: "Evidence",
    series_used: "Series",
    points: "{n} points",
    sampled_note:
      "Some series reached TensorBoard's sampling limit ({limit} points), so short spikes may be hidden. Start TensorBoard with --samples_per_plugin=scalars=0 to keep every point.",
    sampled_note_nolimit:
      "Some series were sampled by TensorBoard, so short spikes may be hidden. Start TensorBoard with --samples_per_plugin=scalars=0 to keep every point.",
    sampled_badge: "sampled",
    lang_switch: "Language",
    sev_ok: "OK",
    sev_info: "Info",
    sev_warning: "Warning",
    sev_critical: "Critical",
  },
  zh: {
    title: "Loss 诊断",
    loading: "正在加载诊断结果…",
    group_critical: "需处理",
    group_warning: "值得一看",
    group_info: "供参考",
    group_ok: "正常",
    group_unjudged: "未判断",
    group_critical_help: "需处理：训练已出错或在浪费算力。",
    group_warning_help: "值得一看：存在影响效果或耗费时间的问题。",
    group_info_help: "供参考：通常可以接受（停滞、过度自信）。",
    group_ok_help: "正常：仍在改进或已收敛。",
    group_unjudged_help: "未判断：数据点太少无法判断（数据不足），或已跳过（没有 loss 类标量）。",
    group_here: "此处：{codes}。",
    group_skipped: "{n} 个已跳过",
    group_filter_hint: "点击只显示这些运行；再次点击显示全部。",
    summary_label: "按结论分组的运行",
    col_select: "对比",
    col_spark: "loss 曲线",
    col_best_val_loss: "最佳验证 loss",
    col_best_val_acc: "最佳验证准确率",
    col_final_train_loss: "最终训练 loss",
    col_steps: "步数",
    sort_by: "按{column}排序",
    sort_label: "运行排序方式",
    select_run: "选择 {run} 以对比其 loss",
    compare_title: "对比 {n} 个运行",
    compare_count: "已选择 {n} / {max} 个运行进行对比",
    compare_clear: "清除选择",
    compare_full: "最多可同时对比 {max} 个运行。",
    compare_style: "实线：训练 · 虚线：验证",
    compare_loading: "正在加载所选运行的曲线…",
    compare_failed: "无法加载 {run} 的曲线：{message}",
    compare_hint: "打开一个运行查看其诊断；它的图表会叠加所选运行。",
    notes_marker: "事件文件有问题：{notes}",
    notes_title: "这个运行的日志中无法按原样使用的部分",
    verdict_damaged: "这个运行的日志有一部分无法按原样使用（见下面的说明）：曲线可能不完整。",
    low_confidence: "置信度低：数据点少",
    confidence: "置信度 {pct}%",
    run_detail_error: "无法加载这个运行的完整诊断：{message}",
    forecast_title: "还要继续训练吗？",
    runs_total: "{n} 个运行",
    filter_placeholder: "筛选运行（正则表达式）",
    filter_label: "按名称筛选运行",
    filter_invalid: "不是有效的正则表达式：按普通文本匹配。",
    code_all: "全部诊断",
    code_label: "按诊断筛选",
    showing: "显示 {shown} / {total} 个运行",
    no_match: "没有运行符合筛选条件。",
    col_run: "运行",
    col_verdict: "结论",
    col_best: "最佳步",
    col_summary: "原因",
    refresh: "刷新",
    updated: "更新于 {time}",
    error_load: "无法加载诊断结果：{message}",
    error_stale: "当前显示的是 {time} 加载的数据。",
    empty_title: "没有记录 loss 类标量的运行",
    empty_help:
      "LossDoc 诊断记录了 loss 标量的运行，例如 loss、train_loss、val_loss、epoch_loss 或 train/loss。下列运行中没有找到这样的标量。",
    empty_none:
      "还没有找到任何运行。启动 TensorBoard 时用 --logdir 指向保存事件文件的目录（SummaryWriter、Keras、Lightning 或 Hugging Face Trainer 写出的日志）。",
    skipped_title: "已跳过的运行（{n}）",
    skipped_reason: "原因",
    skipped_tags: "已有的标量标签",
    no_tags: "无",
    close: "关闭",
    open_scalars: "在 Time Series（标量）中查看",
    best_step: "最佳步",
    best_marker: "最佳 {step}",
    no_best: "—",
    nan_marker: "首个 {what}",
    spike_marker: "突增",
    step: "步",
    steps_range: "第 {from}–{to} 步",
    step_single: "第 {step} 步",
    steps_from: "自第 {from} 步起",
    chart_loss: "损失（loss）",
    chart_acc: "准确率",
    chart_lr: "学习率",
    train_loss: "训练 loss",
    val_loss: "验证 loss",
    train_acc: "训练准确率",
    val_acc: "验证准确率",
    val_score: "验证 mAP50",
    grad_norm: "梯度范数",
    lr: "学习率",
    range_show_all: "显示极端值",
    range_fit: "适配常规数值",
    range_clipped: "部分数值远超其余数值，已超出图表范围。",
    curves_loading: "正在加载曲线…",
    curves_error: "无法加载曲线：{message}",
    curves_empty: "这个运行没有曲线数据。",
    findings: "诊断发现",
    no_findings: "这个运行没有诊断发现。",
    actions: "建议尝试",
    evidence: "依据",
    series_used: "使用的序列",
    points: "{n} 个点",
    sampled_note:
      "部分序列达到了 TensorBoard 的采样上限（{limit} 个点），短暂的尖峰可能被隐藏。使用 --samples_per_plugin=scalars=0 启动 TensorBoard 可保留全部数据点。",
    sampled_note_nolimit:
      "部分序列被 TensorBoard 采样，短暂的尖峰可能被隐藏。使用 --samples_per_plugin=scalars=0 启动 TensorBoard 可保留全部数据点。",
    sampled_badge: "已采样",
    lang_switch: "语言",
    sev_ok: "正常",
    sev_info: "提示",
    sev_warning: "警告",
    sev_critical: "严重",
  },
};

// Names of the diagnosis codes (docs/json-format.md), shown on the badges.
const CODES = {
  still_improving: { en: "still improving", zh: "仍在改进" },
  converged: { en: "converged", zh: "已收敛" },
  overfitting: { en: "overfitting", zh: "过拟合" },
  overconfidence: { en: "overconfidence", zh: "过度自信" },
  not_learning: { en: "not learning", zh: "没有学习" },
  plateau: { en: "plateau", zh: "停滞" },
  oscillation: { en: "oscillation", zh: "震荡" },
  spike: { en: "spike", zh: "突增" },
  divergence: { en: "divergence", zh: "发散" },
  non_finite: { en: "NaN / Inf", zh: "NaN / Inf" },
  train_flat_val_improving: { en: "train flat, val improving", zh: "训练停滞、验证下降" },
  insufficient_data: { en: "insufficient data", zh: "数据不足" },
};

/** The known codes in display order (most alarming first). */
export const CODE_ORDER = [
  "non_finite", "divergence", "overfitting", "spike", "not_learning",
  "train_flat_val_improving", "oscillation", "plateau", "overconfidence",
  "still_improving", "converged", "insufficient_data",
];

/** Translates a UI string, filling {placeholders} from vars. */
export function t(lang, key, vars) {
  const table = STRINGS[lang] || STRINGS.en;
  const text = key in table ? table[key] : STRINGS.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

/** Human name of a diagnosis code; unknown codes read as words. */
export function codeLabel(lang, code) {
  const names = CODES[code];
  if (names) return names[lang] || names.en;
  return String(code || "").replace(/_/g, " ");
}

export function severityLabel(lang, severity) {
  return t(lang, `sev_${severity}`);
}

function normalise(lang) {
  if (typeof lang !== "string") return null;
  const lower = lang.toLowerCase();
  if (lower.startsWith("zh")) return "zh";
  if (lower.startsWith("en")) return "en";
  return null;
}

/** The language the user chose earlier in this browser, if any. */
export function storedLang() {
  try {
    return normalise(window.localStorage.getItem(STORAGE_KEY));
  } catch (err) {
    return null; // storage disabled (privacy mode, sandbox)
  }
}

export function storeLang(lang) {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch (err) {
    /* not remembered, still applied */
  }
}

/** Stored choice, else the server's default, else the browser's language. */
export function chooseLang(serverLang) {
  return storedLang() || normalise(serverLang) || browserLang();
}

export function browserLang() {
  return String(navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}
