import type { ToolDefinition } from './define.ts';
import { getHistory, getHousehold, undo, updateHousehold } from './household.ts';
import { addItems, addTask, checkItems, clearChecked, createList, getList, listLists, removeItems, setItemCategory } from './lists.ts';
import { getExpiring, getPantry, removePantryItems, restock, stockPantry, updatePantry } from './pantry.ts';
import {
  addRecipeToList,
  cookRecipe,
  deleteRecipe,
  getRecipe,
  importRecipe,
  recipeFulfillment,
  saveRecipe,
  searchRecipes,
  setIngredientMatch,
  useItUp,
  whatCanICook,
} from './recipes.ts';

/**
 * Every tool, in the order assistants see them. Both doors read this one list: the MCP server
 * registers it and the agent offers it to the LLM.
 */
export const TOOLS: readonly ToolDefinition[] = [
  getHousehold,
  updateHousehold,
  listLists,
  createList,
  getList,
  addItems,
  removeItems,
  checkItems,
  clearChecked,
  setItemCategory,
  addTask,
  getPantry,
  updatePantry,
  stockPantry,
  removePantryItems,
  getExpiring,
  restock,
  searchRecipes,
  getRecipe,
  saveRecipe,
  deleteRecipe,
  importRecipe,
  recipeFulfillment,
  addRecipeToList,
  cookRecipe,
  whatCanICook,
  useItUp,
  setIngredientMatch,
  getHistory,
  undo,
];

export type { ToolDefinition, ToolContext, ToolAnnotations } from './define.ts';
