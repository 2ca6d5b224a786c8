/**
 * AG Grid, registered once for the app: only the Community modules the grids
 * use (a smaller bundle than AllCommunityModule), and one compact
 * theme that follows the app's colours. A missing module shows up as a
 * console error, which the e2e test fails on.
 */
import {
  CellStyleModule,
  ColumnApiModule,
  ColumnAutoSizeModule,
  GridStateModule,
  InfiniteRowModelModule,
  ModuleRegistry,
  NumberFilterModule,
  RowApiModule,
  RowSelectionModule,
  ScrollApiModule,
  TextFilterModule,
  themeQuartz,
  TooltipModule,
} from 'ag-grid-community';

ModuleRegistry.registerModules([
  InfiniteRowModelModule,
  TextFilterModule,
  NumberFilterModule,
  CellStyleModule,
  GridStateModule,
  RowApiModule,
  ScrollApiModule,
  ColumnAutoSizeModule,
  TooltipModule,
  // The breaks grid's multi-select (shift/ctrl-click and -arrow) and its optional columns (B/A ratio).
  RowSelectionModule,
  ColumnApiModule,
]);

/** Dense rows for ops work; colours come from the app's CSS variables, so dark mode follows. */
export const gridTheme = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 12,
  headerFontSize: 12,
  headerFontWeight: 600,
  rowHeight: 26,
  headerHeight: 30,
  spacing: 5,
  borderRadius: 2,
  wrapperBorderRadius: 4,
  backgroundColor: 'var(--panel)',
  foregroundColor: 'var(--text)',
  accentColor: 'var(--accent)',
  headerBackgroundColor: 'var(--header-bg)',
  oddRowBackgroundColor: 'var(--odd-row)',
  browserColorScheme: 'inherit',
});
