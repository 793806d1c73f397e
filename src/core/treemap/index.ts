/** The treemap of a merged filesystem: its size tree, the squarified layout, and the nested layout with small items gathered. */
export { squarify, type Rect } from "./squarify";
export { ancestorsOf, buildSizeTree, childrenOf, findPath, layerBytesUnder, NodeKind, pathOf, sizeTreeBuffers, type SizeTree } from "./sizetree";
export { DEFAULT_TREEMAP_OPTIONS, layoutTreemap, type TileKind, type TreemapLayout, type TreemapOptions, type TreemapTile } from "./layout";
